import type { SrfRequest } from '../requests/srf-request.js';
import { uasDialogRoute } from '../sip/dialog-route.js';
import type { SipResponse } from '../sip/message.js';
import type { Dialog } from './dialog.js';
import { createDialog } from './dialog-factory.js';
import type { SessionTimerTerms } from './session-timer-terms.js';
import { DEFAULT_SUBSCRIPTION_EXPIRES, expiresOf } from './subscription.js';
import type { AnswerRetransmitter } from './uas-answer.js';
import { agentOf } from './user-agent.js';

/**
 * The dialog a 2xx to an INVITE (or a 202 to a SUBSCRIBE) makes on the UAS side (RFC 3261
 * §12.1.1): the early dialog confirmed, or a new one. A 2xx under another To tag than the
 * provisional's makes a dialog of its own and the early one is discarded (RFC 3261 §12.1).
 *
 * @param req - the request answered
 * @param sdp - our session description in the 2xx ('' for none)
 * @param sent - the 2xx as it went out
 * @param contact - our Contact, when the 2xx carries none
 * @param answer - the 2xx's retransmitter, until the ACK (RFC 3261 §13.3.1.4)
 * @param sessionTimer - a session timer agreed in the 2xx (RFC 4028)
 * @param early - the early dialog a provisional response made, if any
 * @returns the confirmed dialog
 */
export function answeredDialog(
  req: SrfRequest,
  sdp: string,
  sent: SipResponse,
  contact: string,
  answer: AnswerRetransmitter | undefined,
  sessionTimer: SessionTimerTerms | undefined,
  early: Dialog | undefined,
): Dialog {
  const ua = agentOf(req);
  const localContact = sent.get('contact') ?? contact;
  let dialog: Dialog;
  if (early && early.state === 'early' && early.sip.localTag !== sent.toTag) early.discard();
  if (early && early.state === 'early') {
    early.confirm({ localSdp: sdp, localContact, answer, createdBy: sent, sessionTimer });
    dialog = early;
  } else {
    const subscribing = req.method === 'SUBSCRIBE';
    dialog = createDialog({
      ua,
      type: 'uas',
      dialogType: subscribing ? 'SUBSCRIBE' : 'INVITE',
      route: uasDialogRoute(req, sent.toTag ?? ''),
      localContact,
      localSdp: sdp,
      remoteSdp: req.body,
      localCseq: 1,
      remoteCseq: req.cseq.seq,
      createdBy: sent,
      flowId: req.source.flowId,
      answer,
      // A late offer: our 2xx offers, the ACK answers (RFC 3264 §4).
      offers:
        !subscribing && req.payload.length === 0 && sdp ? { kind: 'offer-sent', carrier: '2xx' } : undefined,
      sessionTimer,
      subscription: subscribing
        ? { event: req.get('event') ?? '', expires: expiresOf(sent) ?? DEFAULT_SUBSCRIPTION_EXPIRES }
        : undefined,
    });
  }
  if (req.method !== 'SUBSCRIBE')
    ua.cdr({ type: 'start', source: 'network', time: new Date(ua.scheduler.now()), role: 'uas', msg: sent });
  return dialog;
}
