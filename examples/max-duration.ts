// The examples' --max-duration: a call still up after so many seconds is ended with BYE, so a
// caller that never hangs up (a scanner's INVITE that was ACKed) does not hold it forever.
import type { Logger } from 'pino';
import { mergeMap, takeUntil, timer } from 'rxjs';
import type { Dialog } from '../src/index.js';

/**
 * Ends `dialog` with BYE after `seconds` (`ended$` says `system-initiated-termination`), unless
 * it ends first; nothing when `seconds` is undefined. The timer goes with the dialog.
 */
export function endAfter(dialog: Dialog, seconds: number | undefined, log: Logger): void {
  if (seconds === undefined) return;
  timer(seconds * 1000)
    .pipe(
      takeUntil(dialog.ended$),
      mergeMap(() => {
        log.info({ callId: dialog.sip.callId, seconds }, 'maximum call duration reached: hanging up');
        return dialog.end$({ reason: 'system-initiated-termination' });
      }),
    )
    .subscribe({ error: (err: unknown) => log.warn({ err }, 'BYE at the maximum duration failed') });
}
