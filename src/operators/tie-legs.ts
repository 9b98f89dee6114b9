import { type MonoTypeOperatorFunction, tap } from 'rxjs';
import type { Dialog } from '../dialogs/dialog.js';

/** Ends the other leg when one ends (BYE from either side, a session timer, an ACK timeout). */
export function tieLegs<T extends { uas: Dialog; uac: Dialog }>(): MonoTypeOperatorFunction<T> {
  return tap(({ uas, uac }) => {
    uas.destroy$.subscribe(() => void uac.destroy());
    uac.destroy$.subscribe(() => void uas.destroy());
  });
}
