// The call detail records the Srf makes itself for INVITEs outside a dialog (drachtio-server's):
// the attempt when one arrives, the stop when the application refuses it. The dialog layer makes
// the others (start, and the stop of a call that was up).
import type { UserAgent } from '../dialogs/user-agent.js';
import type { SrfRequest } from '../requests/srf-request.js';
import type { SipResponse } from '../sip/message.js';

/**
 * Records the `attempt` of an INVITE received outside a dialog.
 *
 * @param ua - the user agent, once attached
 * @param req - a new request
 */
export function recordAttempt(ua: UserAgent | undefined, req: SrfRequest): void {
  if (!ua || req.method !== 'INVITE') return;
  ua.cdr({ type: 'attempt', source: 'network', time: new Date(ua.scheduler.now()), msg: req });
}

/**
 * Records the `stop` (`call-rejected`) of an INVITE the application answered with a failure.
 *
 * @param ua - the user agent, once attached
 * @param req - the request answered
 * @param response - its final response
 */
export function recordRejection(ua: UserAgent | undefined, req: SrfRequest, response: SipResponse): void {
  if (req.method !== 'INVITE' || response.status < 300 || !ua) return;
  ua.cdr({
    type: 'stop',
    source: 'application',
    time: new Date(ua.scheduler.now()),
    reason: 'call-rejected',
    msg: response,
  });
}
