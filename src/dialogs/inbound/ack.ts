import type { SipRequest } from '../../sip/message.js';
import type { DialogCore } from '../dialog-core.js';
import type { InviteUsage } from '../invite-usage.js';

/**
 * An ACK for one of our 2xx (RFC 3261 §13.3.1.4): that 2xx is no longer resent, and an idle
 * dialog keeps no transaction state. With a late offer the ACK carries the answer (RFC 3264 §4).
 */
export function receiveAck(core: DialogCore, usage: InviteUsage | undefined, ack: SipRequest): void {
  usage?.acked(ack.cseq.seq);
  if (ack.payload.length > 0) {
    core.remote.sdp = ack.body;
    if (usage?.offers.kind === 'offer-sent' && usage.offers.carrier === '2xx')
      usage.apply({ kind: 'receive-answer' });
  }
  core.incoming.notify('ack', ack);
}
