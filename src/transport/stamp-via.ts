import type { SipRequest } from '../sip/message.js';
import { copyParams } from '../sip/params.js';
import { bareHost } from '../sip/uri.js';
import { stringifyVia } from '../sip/via.js';
import type { Source } from './types.js';

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: the receiver of a request records in the top Via where it
 * really came from: `received` when the sent-by host differs from the source address (and
 * always when `rport` is asked for), and the source port in an empty `rport`.
 */
export function stampVia(request: SipRequest, source: Source): void {
  const top = request.topVia;
  const host = bareHost(top.host);
  const wantsRport = 'rport' in top.params && top.params.rport === null;
  if (!wantsRport && host === source.address) return;
  const params = copyParams(top.params);
  params.received = source.address;
  if (wantsRport) params.rport = String(source.port);
  const stamped = Object.assign({}, top, { params });
  request.removeFirstValue('via');
  request.append('Via', stringifyVia(stamped), { first: true });
  request.seedParsed('via', stamped);
}
