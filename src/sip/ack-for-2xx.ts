import { stringifyCSeq } from './cseq.js';
import { splitList } from './grammar.js';
import { type HeaderField, SipRequest, type SipResponse } from './message.js';

/**
 * RFC 3261 §13.2.2.4: the ACK for a 2xx to `invite`, built by the UAC core: Request-URI is the
 * 2xx's Contact (the remote target), Route the reversed Record-Route, To from the response,
 * Call-ID, From and CSeq number from the INVITE. Via is added when it is sent.
 */
export function ackFor2xx(
  invite: SipRequest,
  response: SipResponse,
  body?: { contentType: string; body: string | Buffer },
): SipRequest {
  const contact = response.getParsedHeader('contact');
  const target = Array.isArray(contact) && contact[0] ? contact[0].uri : invite.uri;
  const fields: HeaderField[] = [{ name: 'Max-Forwards', key: 'max-forwards', value: '70' }];
  const recordRoutes = response.getAll('record-route').flatMap(splitList);
  for (const route of recordRoutes.reverse()) fields.push({ name: 'Route', key: 'route', value: route });
  for (const f of invite.fields) if (f.key === 'from' || f.key === 'call-id') fields.push({ ...f });
  const to = response.fields.find((f) => f.key === 'to');
  if (to) fields.push({ ...to });
  fields.push({ name: 'CSeq', key: 'cseq', value: stringifyCSeq({ seq: invite.cseq.seq, method: 'ACK' }) });
  const ack = new SipRequest('ACK', target, fields);
  if (body) {
    ack.set('Content-Type', body.contentType);
    ack.body = body.body;
  }
  return ack;
}
