// The proxy example's call flow, over any Srf: a stateful, record-routing proxy of INVITE,
// MESSAGE, SUBSCRIBE, OPTIONS and REFER to the targets, in turn or all at once; with a registrar
// (--domain), requests for its users go to where they registered instead.
import type { Logger } from 'pino';
import { merge, mergeMap, of, type Subscription } from 'rxjs';
import { proxy$, type Registrar, type Srf } from '../../src/index.js';

export interface ProxyAppOptions {
  targets: string[];
  forking: 'sequential' | 'simultaneous';
  log: Logger;
  /** Takes REGISTERs and routes requests for its domains to registered users. */
  registrar?: Registrar;
}

/** Proxies the Srf's new requests; unsubscribing stops taking them. */
export function proxyApp(srf: Srf, options: ProxyAppOptions): Subscription {
  const { registrar } = options;
  const proxied = { recordRoute: true, forking: options.forking } as const;
  const subscription = merge(srf.invite$, srf.message$, srf.subscribe$, srf.options$, srf.refer$)
    .pipe(
      mergeMap((event) =>
        registrar?.serves(event.req.uri)
          ? of(event).pipe(registrar.route(proxied))
          : proxy$(event, options.targets, proxied),
      ),
    )
    .subscribe((result) => options.log.debug({ status: result.finalStatus }, 'proxied'));
  if (registrar) subscription.add(srf.register$.pipe(registrar.register()).subscribe());
  return subscription;
}
