// The registrar example's flow, over any Srf: REGISTERs taken by the Registrar (digest, expiries,
// flows), and INVITE, MESSAGE, SUBSCRIBE and REFER for registered users proxied to their
// contacts (record-routed, in q order or all at once), so it is a registrar and a proxy.
import type { Logger } from 'pino';
import { merge, Subscription } from 'rxjs';
import type { Registrar, Srf } from '../../src/index.js';

export interface RegistrarAppOptions {
  registrar: Registrar;
  forking: 'sequential' | 'simultaneous';
  log: Logger;
}

/** Takes REGISTERs and routes requests to registered users; unsubscribing stops both. */
export function registrarApp(srf: Srf, options: RegistrarAppOptions): Subscription {
  const { registrar, log } = options;
  const subscription = new Subscription();
  subscription.add(
    srf.register$
      .pipe(registrar.register())
      .subscribe(({ aor, kind, bindings }) =>
        log.info({ aor, kind, contacts: bindings.map((b) => `${b.uri};expires=${b.expires}`) }, 'register'),
      ),
  );
  subscription.add(
    merge(srf.invite$, srf.message$, srf.subscribe$, srf.refer$)
      .pipe(registrar.route({ forking: options.forking }))
      .subscribe((result) => log.debug({ status: result.finalStatus }, 'routed')),
  );
  return subscription;
}
