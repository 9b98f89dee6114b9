// A registrar on the virtual network of rxsip/testing: the app at 10.0.0.2 (UDP and TCP) taking
// REGISTERs with a Registrar over an in-memory store on the test's clock, and helpers that send
// REGISTERs with the headers a test wants.
import { pino } from 'pino';
import { firstValueFrom, last } from 'rxjs';
import {
  type HeaderInit,
  MemoryLocationStore,
  Registrar,
  type RegistrarOptions,
  type Registration,
  type SipResponse,
  Srf,
} from '../../src/index.js';
import type { SipTestKit } from '../../src/testing.js';

const SILENT = pino({ level: 'silent' });

export const DOMAIN = 'example.test';
export const USERS: Record<string, string> = { alice: 'secret-a', bob: 'secret-b' };

export interface RegistrarApp {
  srf: Srf;
  registrar: Registrar;
  store: MemoryLocationStore;
  registrations: Registration[];
}

/** The registrar at 10.0.0.2:5060 (UDP and TCP), its store on the kit's clock. */
export function registrarApp(kit: SipTestKit, options: Partial<RegistrarOptions> = {}): RegistrarApp {
  const store = new MemoryLocationStore({ scheduler: kit.scheduler });
  const srf = new Srf({ scheduler: kit.scheduler, logger: SILENT }).attach(
    kit.engine('app', '10.0.0.2', { protocols: ['udp', 'tcp'] }),
  );
  const registrar = new Registrar({
    domains: [DOMAIN],
    store,
    scheduler: kit.scheduler,
    node: 'node-a',
    ...options,
  });
  const registrations: Registration[] = [];
  srf.register$.pipe(registrar.register()).subscribe((r) => registrations.push(r));
  return { srf, registrar, store, registrations };
}

/** A UA of its own at `address` (UDP, or the given protocols), to send from and to be called at. */
export function party(
  kit: SipTestKit,
  name: string,
  address: string,
  protocols: ('udp' | 'tcp')[] = ['udp'],
): Srf {
  return new Srf({ scheduler: kit.scheduler, logger: SILENT }).attach(
    kit.engine(name, address, { protocols }),
  );
}

/** Sends a REGISTER for `user`@example.test from `srf` and resolves with the final response. */
export function register(
  srf: Srf,
  user: string,
  headers: HeaderInit,
  options: { password?: string; to?: string; transport?: 'tcp' } = {},
): Promise<SipResponse> {
  const aor = `<sip:${user}@${options.to ?? DOMAIN}>`;
  const uri = `sip:10.0.0.2${options.transport ? `;transport=${options.transport}` : ''}`;
  return firstValueFrom(
    srf
      .send$(uri, {
        method: 'REGISTER',
        headers: { From: `${aor};tag=${user}1`, To: aor, ...headers },
        auth: options.password === undefined ? undefined : { username: user, password: options.password },
      })
      .pipe(last()),
  );
}

/** The Contact values of a response, one per binding, as `uri;expires=N...`. */
export function contacts(response: SipResponse): string[] {
  return response.getAll('contact').flatMap((line) => line.split(/,(?=\s*<)/).map((v) => v.trim()));
}
