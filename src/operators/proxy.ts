import { mergeMap, type OperatorFunction } from 'rxjs';
import { type ProxyDestinations, proxy$ } from '../proxy/proxy-call.js';
import type { ProxyOptions, ProxyResult } from '../proxy/proxy-request.js';
import type { RequestEvent } from '../requests/srf-request.js';

/**
 * Proxies each request statefully (RFC 3261 §16), requests in parallel, and emits how each
 * ended. With `recordRoute`, the dialog's later requests come back through rxsip and are
 * forwarded on their own.
 *
 * @param destinations - where to send each request, or a function of it
 * @param options - record-routing, forking, timeouts, headers
 * @returns the operator
 * @example
 * ```ts
 * import { proxy, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * srf.invite$
 *   .pipe(proxy(['192.0.2.10', '192.0.2.11'], { recordRoute: true }))
 *   .subscribe((result) => console.log('proxied', result.finalStatus));
 * ```
 */
export function proxy(
  destinations: ProxyDestinations | ((event: RequestEvent) => ProxyDestinations) = [],
  options: ProxyOptions = {},
): OperatorFunction<RequestEvent, ProxyResult> {
  return mergeMap((event) =>
    proxy$(event, typeof destinations === 'function' ? destinations(event) : destinations, options),
  );
}
