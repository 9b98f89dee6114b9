import { defer, type Observable, tap } from 'rxjs';
import type { SipResponse } from '../../sip/message.js';
import type { DialogCore, RequestOptions } from '../dialog-core.js';

/** The error a request gets once its dialog has ended. */
export function dialogEnded(core: DialogCore): Error {
  return new Error(`dialog ${core.id} has ended`);
}

/**
 * Sends a request inside the dialog (cold): every response, completing after the final one. A
 * 401/407 is answered with the dialog's credentials; a 481 or 408 ends the dialog (RFC 3261
 * §12.2.1.2). Errors when the dialog has ended.
 */
export function sendRequest$(core: DialogCore, options: RequestOptions): Observable<SipResponse> {
  return defer(() => {
    if (core.state === 'terminated') throw dialogEnded(core);
    return core.transmit$(core.build(options)).pipe(tap((r) => r.status >= 200 && core.checkFinal(r)));
  });
}
