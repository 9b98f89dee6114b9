import { defer, type Observable } from 'rxjs';
import type { RequestEvent } from '../requests/srf-request.js';
import { forwardStatefully, type ProxyOptions, type ProxyResult, type ProxyTarget } from './proxy-request.js';

/**
 * Where to proxy: `host[:port]` or URIs, or targets with the connection to use, tried in order
 * or all at once.
 */
export type ProxyDestinations = string | ProxyTarget | readonly (string | ProxyTarget)[];

/**
 * Proxies one request statefully (RFC 3261 §16, cold) and emits how it ended, in drachtio-srf's
 * `proxyRequest` shape; it never errors for a SIP outcome (every final is relayed upstream and in
 * the result). With `recordRoute`, the dialog's later requests come back through rxsip and are
 * forwarded on their own. Unsubscribing before it settles cancels every branch.
 *
 * @param event - the request (from an Srf request stream) and its response
 * @param destinations - where to send it; default its Request-URI
 * @param options - record-routing, forking, timeouts, headers
 * @returns the outcome, then completes
 * @example
 * ```ts
 * import { mergeMap } from 'rxjs';
 * import { proxy$, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * srf.invite$
 *   .pipe(mergeMap((call) => proxy$(call, ['192.0.2.10', '192.0.2.11'], { recordRoute: true, forking: 'simultaneous' })))
 *   .subscribe(({ connected, finalStatus }) => console.log(connected ? 'answered' : `failed with ${finalStatus}`));
 * ```
 */
export function proxy$(
  event: Pick<RequestEvent, 'req'>,
  destinations: ProxyDestinations = [],
  options: ProxyOptions = {},
): Observable<ProxyResult> {
  return defer(() => {
    const context = event.req.context;
    if (!context) throw new TypeError('proxy$: this request does not come from an Srf request stream');
    return forwardStatefully(
      context,
      event.req.inbound,
      typeof destinations === 'string' || !Array.isArray(destinations)
        ? [destinations as string | ProxyTarget]
        : destinations,
      options,
    );
  });
}
