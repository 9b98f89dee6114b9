import { mergeMap, type OperatorFunction } from 'rxjs';
import { agentOf } from '../dialogs/user-agent.js';
import { type ProxyOptions, type ProxyResult, proxyRequest } from '../proxy/proxy-request.js';
import type { RequestEvent } from '../streams/request-router.js';

export type ProxyDestinations = string | string[] | ((event: RequestEvent) => string | string[]);

/**
 * Proxies each request statefully (RFC 3261 §16) and emits how it ended. With `recordRoute`,
 * the dialog's later requests come back through rxsip and are forwarded on their own.
 *
 * @example
 * srf.requests$.pipe(filterMethod('INVITE'), proxy(['192.0.2.10', '192.0.2.11'], { recordRoute: true })).subscribe();
 */
export function proxy(
  destinations: ProxyDestinations = [],
  options: ProxyOptions = {},
): OperatorFunction<RequestEvent, ProxyResult> {
  return mergeMap((event) => {
    const d = typeof destinations === 'function' ? destinations(event) : destinations;
    return proxyRequest(agentOf(event.req), event.req.inbound, typeof d === 'string' ? [d] : d, options);
  });
}
