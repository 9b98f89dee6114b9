import type { Via } from '../sip/via.js';
import { defaultPort, isReliable, protocolOfVia, type Source, type Target } from './types.js';

/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4): over the connection the request came
 * on while it is open; otherwise to `received` (or the sent-by host) at the `rport` port (or the
 * sent-by port). The top Via must already carry the received/rport values stamped on arrival.
 * The response uses the transport the request arrived on, even when the Via names another
 * (RFC 4475 has UDP datagrams whose Via says TCP): that is the path known to work.
 */
export function responseTarget(topVia: Via, source: Source): Target {
  const protocol = source.protocol;
  const rport = topVia.params.rport;
  const received = topVia.params.received;
  const address = received ?? (rport != null ? source.address : topVia.host.replace(/^\[|\]$/g, ''));
  const viaProtocol = protocolOfVia(topVia.transport) ?? protocol;
  const port =
    rport != null && /^\d+$/.test(rport) ? Number(rport) : (topVia.port ?? defaultPort(viaProtocol));
  const target: Target = { protocol, address, port };
  if (isReliable(source.protocol) && source.flowId !== undefined) target.flowId = source.flowId;
  return target;
}
