import { bareHost } from '../sip/uri.js';
import type { Via } from '../sip/via.js';
import { defaultPort, isReliable, protocolOfVia, type Source, type Target } from './types.js';

function validPort(port: number | undefined): number | undefined {
  return port !== undefined && port > 0 && port < 65536 ? port : undefined;
}

/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4): over the connection the request came
 * on while it is open; otherwise to `received` (or the sent-by host) at the `rport` port (over
 * UDP only: a closed TCP/TLS flow is reopened to the sent-by port) or the sent-by port. A port
 * no socket can send to (0, over 65535) falls back to the request's source port. The top Via
 * must already carry the received/rport values stamped on arrival.
 * The response uses the transport the request arrived on, even when the Via names another
 * (RFC 4475 has UDP datagrams whose Via says TCP): that is the path known to work.
 */
export function responseTarget(topVia: Via, source: Source): Target {
  const protocol = source.protocol;
  const rport = topVia.params.rport;
  const received = topVia.params.received;
  const address = received ?? (rport != null ? source.address : bareHost(topVia.host));
  const viaProtocol = protocolOfVia(topVia.transport) ?? protocol;
  const reliable = isReliable(protocol);
  const fromRport = !reliable && rport != null && /^\d+$/.test(rport) ? Number(rport) : undefined;
  const port = validPort(fromRport) ?? validPort(topVia.port ?? defaultPort(viaProtocol)) ?? source.port;
  // The common case, an answer to where the request came from: the source is that target (a
  // Source is a Target with its listening point), and a lingering transaction keeps one object
  // and one address string, not two of each.
  if (address === source.address && port === source.port && (reliable || source.flowId === undefined))
    return source;
  const target: Target = { protocol, address, port };
  if (reliable && source.flowId !== undefined) target.flowId = source.flowId;
  return target;
}
