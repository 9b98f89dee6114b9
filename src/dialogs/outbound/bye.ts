import { defer, EMPTY, type Observable } from 'rxjs';
import type { HeaderInit, SipResponse } from '../../sip/message.js';
import type { CdrReason } from '../cdr.js';
import type { DialogCore } from '../dialog-core.js';

/** How a dialog is ended by us. */
export interface EndOptions {
  /** Headers for the BYE, e.g. a `Reason` (RFC 3326) or `X-` headers for the far end. */
  headers?: HeaderInit;
  /** The reason `ended$` and the CDR give (default `normal-release`). */
  reason?: CdrReason;
}

/**
 * Ends an INVITE dialog with BYE (cold): responses to the BYE. The dialog is terminated at once
 * (RFC 3261 §15.1.1), so `ended$` emits before the response arrives. Nothing is sent when it has
 * already ended.
 */
export function sendBye$(core: DialogCore, options: EndOptions = {}): Observable<SipResponse> {
  return defer(() => {
    if (core.state === 'terminated') return EMPTY;
    const bye = core.build({ method: 'BYE', headers: options.headers });
    core.terminate(options.reason ?? 'normal-release', 'local', bye);
    return core.transmit$(bye);
  });
}
