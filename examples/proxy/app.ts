// The proxy example's call flow, over any Srf: a stateful, record-routing proxy of INVITE,
// MESSAGE, SUBSCRIBE, OPTIONS and REFER to the targets, in turn or all at once.
import type { Logger } from 'pino';
import { merge, type Subscription } from 'rxjs';
import { proxy, type Srf } from '../../src/index.js';

export interface ProxyAppOptions {
  targets: string[];
  forking: 'sequential' | 'simultaneous';
  log: Logger;
}

/** Proxies the Srf's new requests; unsubscribing stops taking them. */
export function proxyApp(srf: Srf, options: ProxyAppOptions): Subscription {
  return merge(srf.invite$, srf.message$, srf.subscribe$, srf.options$, srf.refer$)
    .pipe(proxy(options.targets, { recordRoute: true, forking: options.forking }))
    .subscribe((result) => options.log.debug({ status: result.finalStatus }, 'proxied'));
}
