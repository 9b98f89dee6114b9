import { MAGIC_COOKIE } from '../sip/ids.js';
import type { SipRequest } from '../sip/message.js';
import type { Via } from '../sip/via.js';

const SEP = '\u0000';

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/**
 * The key that matches a request to its server transaction (RFC 3261 §17.2.3): branch, sent-by
 * and method, with ACK matching its INVITE. Without the magic cookie (RFC 2543 peers, RFC 4475
 * §3.4 inv2543) the Request-URI, From tag, Call-ID, CSeq number and top Via are used instead;
 * an ACK then still finds its INVITE because the To tag is left out.
 */
export function serverKey(request: SipRequest, method = request.method): string {
  const top = request.topVia;
  const m = method === 'ACK' ? 'INVITE' : method;
  const branch = top.params.branch;
  // Keys live as long as the transaction (32 s after it ends): copies, not slices of the message.
  // Array#join writes one flat string, which holds on to nothing of the message.
  if (branch?.startsWith(MAGIC_COOKIE)) return [branch, sentBy(top), m].join(SEP);
  return [
    '2543',
    request.uri,
    request.fromTag ?? '',
    request.callId,
    request.cseq.seq,
    sentBy(top),
    branch ?? '',
    m,
  ].join(SEP);
}

/** The key that matches a response to its client transaction (RFC 3261 §17.1.3). */
export function clientKey(branch: string, cseqMethod: string): string {
  return [branch, cseqMethod === 'ACK' ? 'INVITE' : cseqMethod].join(SEP);
}
