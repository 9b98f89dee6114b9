import type { Engine } from '../engine/engine.js';
import { firstListElement } from '../sip/grammar.js';
import type { SipRequest } from '../sip/message.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { bareHost, isSipUri, parseUri } from '../sip/uri.js';
import { defaultPort, type Protocol } from '../transport/types.js';

/** Whether `uri` names one of the engine's listening points (its advertised or bound address). */
export function isOwnUri(engine: Engine, uri: string): boolean {
  try {
    const parsed = parseUri(uri);
    if (!isSipUri(parsed)) return false;
    const host = bareHost(parsed.host).toLowerCase();
    const transport = (parsed.params.transport?.toLowerCase() ??
      (parsed.scheme === 'sips' ? 'tls' : 'udp')) as Protocol;
    const port = parsed.port ?? defaultPort(transport);
    return engine.listeningPoints.some(
      (p) =>
        (p.port === port && (p.address.toLowerCase() === host || p.advertised.host.toLowerCase() === host)) ||
        (p.advertised.port === port && p.advertised.host.toLowerCase() === host),
    );
  } catch {
    return false;
  }
}

/** Whether the request's top Route names us (RFC 3261 §16.4). */
export function isOwnRoute(engine: Engine, request: SipRequest): boolean {
  const top = request.getAll('route')[0];
  if (top === undefined) return false;
  try {
    const first = parseNameAddr(firstListElement(top));
    return isOwnUri(engine, first.uri);
  } catch {
    return false;
  }
}
