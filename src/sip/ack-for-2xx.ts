import { type DialogRoute, inDialogRequest, uacDialogRoute } from './dialog-route.js';
import type { SipRequest, SipResponse } from './message.js';
import { uriOf } from './name-addr.js';

/**
 * RFC 3261 §13.2.2.4: the ACK for a 2xx to `invite`, built by the UAC core: to the 2xx's
 * Contact through the reversed Record-Route, with the INVITE's CSeq number. Via is added when
 * it is sent.
 */
export function ackFor2xx(
  invite: SipRequest,
  response: SipResponse,
  body?: { contentType: string; body: string | Buffer },
): SipRequest {
  const ack = ackInDialog(uacDialogRoute(invite, response), invite.cseq.seq, body);
  // Its Request-URI is the 2xx's Contact (without a strict router): as the Contact's parse read it.
  const contact = response.tryParsedHeader('contact');
  const target = Array.isArray(contact) ? contact[0] : undefined;
  if (target !== undefined && target.uri === ack.uri) {
    try {
      ack.seedRequestUri(uriOf(target));
    } catch {
      // a malformed Contact: the ACK finds no next hop, as it would have parsing the same text
    }
  }
  return ack;
}

/** The ACK for a 2xx to an INVITE or re-INVITE with CSeq number `cseq` in a dialog. */
export function ackInDialog(
  route: DialogRoute,
  cseq: number,
  body?: { contentType: string; body: string | Buffer },
): SipRequest {
  return inDialogRequest(route, 'ACK', cseq, body ? { body: body.body, contentType: body.contentType } : {});
}
