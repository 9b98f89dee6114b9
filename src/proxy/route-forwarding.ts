import type { InboundRequest } from '../engine/engine.js';
import { isOwnRoute, isOwnUri } from './own-route.js';
import { forwardStatefully, type ProxyContext } from './proxy-request.js';

/**
 * A request a dialog's route set sends through us (we Record-Routed it), RFC 3261 §16: our
 * Route is removed and the request goes on to the next Route or its Request-URI, an ACK
 * statelessly, any other request in its own transaction with the responses relayed back.
 * Returns false when the request was not routed through us.
 */
export function forwardRouted(context: ProxyContext, inbound: InboundRequest): boolean {
  const request = inbound.message;
  if (!isOwnRoute(context.engine, request)) return false;
  // The last Route was ours and the Request-URI is ours too: the request is for us, not through us.
  // So is a REGISTER whose last Route is ours: a phone's outbound proxy is its registrar, and the
  // Request-URI of a REGISTER names the registrar's domain, not a host (RFC 3261 §10.2).
  if (
    request.getAll('route').length === 1 &&
    !request.get('route')?.includes(',') &&
    (isOwnUri(context.engine, request.uri) || request.method === 'REGISTER')
  ) {
    request.removeFirstValue('route');
    return false;
  }
  if (request.method === 'ACK') {
    const ack = request.clone();
    ack.removeFirstValue('route');
    const maxForwards = ack.tryParsedHeader('max-forwards') ?? 70;
    if (maxForwards <= 0) return true;
    ack.set('Max-Forwards', maxForwards - 1);
    context.engine.sendAck(ack);
    return true;
  }
  forwardStatefully(context, inbound, []).subscribe({
    error: (err: unknown) =>
      context.log.warn({ err, method: request.method }, 'could not forward an in-dialog request'),
  });
  return true;
}
