import {
  catchError,
  defer,
  EMPTY,
  from,
  mergeMap,
  Observable,
  type OperatorFunction,
  of,
  Subscription,
} from 'rxjs';
import type { Engine } from '../engine/engine.js';
import { authenticate } from '../operators/authenticate.js';
import { proxy$ } from '../proxy/proxy-call.js';
import type { ProxyOptions, ProxyResult } from '../proxy/proxy-request.js';
import type { DigestAuthenticator } from '../requests/digest-server.js';
import type { DigestSuccess } from '../requests/digest-verdict.js';
import type { RequestEvent } from '../requests/srf-request.js';
import { hasOptionTag } from '../sip/option-tags.js';
import { applyRegister, type RegisterContext } from './apply-register.js';
import { type Binding, byPreference, isOutbound, type Location, secondsLeft } from './binding.js';
import type { LocationStore } from './location-store.js';
import { SourceRateLimiter } from './rate-limit.js';
import {
  canonicalAor,
  isRefusal,
  type Refusal,
  type RegisterPlan,
  readRegister,
} from './register-request.js';
import { type RegistrarConfig, type RegistrarOptions, registrarConfig } from './registrar-options.js';
import { contactsOf } from './registration-contacts.js';

/** A REGISTER the registrar carried out, answered 200. */
export interface Registration {
  /** The address of record, canonical (`sip:alice@example.com`). */
  aor: string;
  /** `registered` (bindings added or refreshed, some may be removed), `unregistered` (none left), `fetched` (no Contact: a query). */
  kind: 'registered' | 'unregistered' | 'fetched';
  /** The AOR's bindings now, in the order calls try them. */
  bindings: Location[];
  /** The REGISTER and its (answered) response. */
  event: RequestEvent;
  /** Who authenticated, when the registrar authenticates. */
  auth?: DigestSuccess;
}

/** The most connections whose bindings are followed, so their closing removes them. */
const MAX_FLOWS = 100_000;

/**
 * A registrar (RFC 3261 §10.3) over a pluggable {@link LocationStore}: an operator that takes
 * REGISTERs (`srf.register$.pipe(registrar.register())`), a lookup for whoever routes calls
 * (`locate`), and an operator that proxies requests to registered users (`route`).
 *
 * REGISTERs are rate-limited per source address (503 with Retry-After), read (400 for a
 * malformed Contact or `*` misused, 404 for another domain, 423 with Min-Expires), digest
 * authenticated when `auth` is given (401; 403 when the user may not register that AOR),
 * applied with the Call-ID/CSeq ordering of §10.3 step 7 and at most `maxContacts` bindings,
 * and answered 200 with every binding and its remaining `expires`. A store that fails gets 503
 * with Retry-After. RFC 5626 outbound: a binding made over a TCP, TLS or WebSocket connection
 * is reached back over it while this node holds it, and an outbound binding (`+sip.instance`
 * with `reg-id`) is removed when its connection closes.
 *
 * @example
 * ```ts
 * import { merge } from 'rxjs';
 * import { Registrar, Srf } from 'rxsip';
 *
 * const srf = new Srf();
 * await srf.start({ listen: ['127.0.0.1:5060', 'tcp:127.0.0.1:5060', 'ws:127.0.0.1:8080'] });
 * const registrar = new Registrar({
 *   domains: ['example.com'],
 *   auth: { realm: 'example.com', users: (name) => (name === 'alice' ? 'secret' : undefined) },
 * });
 * srf.register$.pipe(registrar.register()).subscribe((r) => console.log(r.aor, r.kind));
 * merge(srf.invite$, srf.message$).pipe(registrar.route()).subscribe();
 * const [first] = await registrar.locate('sip:alice@example.com');
 * ```
 */
export class Registrar {
  private readonly config: RegistrarConfig;
  private readonly limiter: SourceRateLimiter | undefined;
  // Connections of this node → the AORs with bindings made over them.
  private readonly flows = new Map<string, Set<string>>();

  /**
   * @param options - domains, store, authentication, expiry limits, contact and rate limits
   * @throws TypeError naming a bad option
   */
  constructor(options: RegistrarOptions) {
    this.config = registrarConfig(options);
    const { rateLimit, store } = this.config;
    this.limiter = rateLimit === false ? undefined : new SourceRateLimiter(rateLimit, () => store.now());
  }

  /** Where the bindings live. */
  get store(): LocationStore {
    return this.config.store;
  }

  /** This node's name in the bindings it makes. */
  get node(): string {
    return this.config.node;
  }

  /** The digest authenticator of REGISTERs, when there is one (to challenge other methods with the same nonces). */
  get authenticator(): DigestAuthenticator | undefined {
    return this.config.auth;
  }

  /**
   * Takes REGISTERs: answers each (200, or the refusal) and emits the ones carried out. Its
   * subscription owns the watch on the connections bindings were made over.
   *
   * @returns the operator
   * @example
   * ```ts
   * import { Registrar, type Srf } from 'rxsip';
   *
   * declare const srf: Srf;
   * const registrar = new Registrar({ domains: ['example.com'], minExpires: 120 });
   * srf.register$.pipe(registrar.register()).subscribe(({ aor, bindings }) => console.log(aor, bindings.length));
   * ```
   */
  register(): OperatorFunction<RequestEvent, Registration> {
    return (source) =>
      new Observable<Registration>((subscriber) => {
        const owned = new Subscription();
        const watched = new WeakSet<Engine>();
        const watch = (event: RequestEvent) => {
          const engine = event.req.context?.engine;
          if (!engine || watched.has(engine)) return;
          watched.add(engine);
          owned.add(engine.flowClosed$.subscribe((flowId) => this.flowClosed(flowId, event)));
        };
        owned.add(
          source
            .pipe(
              mergeMap((event) => {
                watch(event);
                return this.handle(event);
              }),
            )
            .subscribe(subscriber),
        );
        return owned;
      });
  }

  /**
   * Whether a URI names a user of the registrar's domains: a request for it is `route()`'s to
   * take.
   *
   * @param uri - a Request-URI or AOR
   * @returns true when its host is one of `domains` and it has a user part
   */
  serves(uri: string): boolean {
    const named = canonicalAor(uri);
    return named !== undefined && this.config.domains.has(named.domain);
  }

  /**
   * Where a user is registered: the bindings of the URI's address of record, highest `q` first
   * (then the most recently refreshed), each with the flow to use when this node holds it.
   *
   * @param uri - the user's URI, e.g. a Request-URI (`sip:alice@example.com:5060;transport=tcp` is `sip:alice@example.com`)
   * @returns the locations, none when not registered; rejects when the store fails
   */
  async locate(uri: string): Promise<Location[]> {
    const named = canonicalAor(uri);
    if (!named) return [];
    return this.locations(await this.store.lookup(named.aor));
  }

  /**
   * Proxies requests for registered users to their contacts (RFC 3261 §16.5): in `q` order one
   * after the other, or all at once with `forking: 'simultaneous'`, over the connections they
   * registered on; record-routing unless `recordRoute: false`. A Request-URI outside the
   * domains gets 404, a user with no binding 480, a store failure 503 with Retry-After.
   *
   * @param options - the proxy's options (forking, timeouts, headers, recordRoute)
   * @returns the operator, emitting how each proxied request ended
   * @example
   * ```ts
   * import { Registrar, type Srf } from 'rxsip';
   *
   * declare const srf: Srf;
   * const registrar = new Registrar({ domains: ['example.com'] });
   * srf.register$.pipe(registrar.register()).subscribe();
   * srf.invite$.pipe(registrar.route({ forking: 'simultaneous' })).subscribe();
   * ```
   */
  route(options: ProxyOptions = {}): OperatorFunction<RequestEvent, ProxyResult> {
    return mergeMap((event) =>
      defer(() => {
        const named = canonicalAor(event.req.uri);
        if (!named || !this.serves(event.req.uri)) {
          event.res.send(404);
          return EMPTY;
        }
        return from(this.store.lookup(named.aor)).pipe(
          catchError((err: unknown) => {
            event.req.context?.log.warn({ err, aor: named.aor }, 'registrar: location lookup failed: 503');
            this.refuse(event, this.unavailable());
            return EMPTY;
          }),
          mergeMap((bindings) => {
            const locations = this.locations(bindings);
            if (locations.length === 0) {
              event.res.send(480);
              return EMPTY;
            }
            const targets = locations.map((l) =>
              l.flowId === undefined ? l.uri : { uri: l.uri, flowId: l.flowId },
            );
            return proxy$(event, targets, { recordRoute: true, ...options });
          }),
        );
      }),
    );
  }

  /**
   * Stops the store's own timers (a Redis client stays the application's).
   *
   * @returns a promise that resolves once the store has stopped
   */
  close(): Promise<void> {
    return this.store.close();
  }

  private locations(bindings: readonly Binding[]): Location[] {
    const now = this.store.now();
    return [...bindings].sort(byPreference).map((binding) => {
      const location: Location = {
        uri: binding.contact,
        q: binding.q ?? 1,
        expires: secondsLeft(binding, now),
        binding,
      };
      if (binding.flowId !== undefined && binding.node === this.node) location.flowId = binding.flowId;
      return location;
    });
  }

  private unavailable(): Refusal {
    return { status: 503, headers: { 'Retry-After': this.config.retryAfter } };
  }

  private refuse(event: RequestEvent, refusal: Refusal): void {
    if (event.res.finalResponseSent) return;
    const options = refusal.headers ? { headers: refusal.headers } : {};
    if (refusal.reason) event.res.send(refusal.status, refusal.reason, options);
    else event.res.send(refusal.status, options);
  }

  private handle(event: RequestEvent): Observable<Registration> {
    return defer(() => {
      const wait = this.limiter?.take(event.req.source.address) ?? 0;
      if (wait > 0) {
        event.req.context?.log.info(
          { source: event.req.source.address, wait },
          'registrar: REGISTER rate exceeded: 503',
        );
        this.refuse(event, { status: 503, headers: { 'Retry-After': wait } });
        return EMPTY;
      }
      const plan = readRegister(event.req, this.config);
      if (isRefusal(plan)) {
        this.refuse(event, plan);
        return EMPTY;
      }
      const auth = this.config.auth;
      const checked: Observable<{ auth?: DigestSuccess }> = auth
        ? of(event).pipe(authenticate(auth))
        : of({});
      return checked.pipe(
        mergeMap(({ auth: who }) => {
          // RFC 3261 §10.3 step 4.
          if (who && !this.config.authorize(who.username, plan.aor)) {
            this.refuse(event, {
              status: 403,
              reason: `Forbidden (${who.username} may not register ${plan.aor})`,
            });
            return EMPTY;
          }
          return from(this.apply(plan, event)).pipe(
            mergeMap((outcome) => {
              if ('refusal' in outcome) {
                this.refuse(event, outcome.refusal);
                return EMPTY;
              }
              return of(this.accept(event, plan, outcome.bindings, who));
            }),
          );
        }),
        catchError((err: unknown) => {
          event.req.context?.log.warn(
            { err, callId: event.req.callId },
            'registrar: location store failed: 503',
          );
          this.refuse(event, this.unavailable());
          return EMPTY;
        }),
      );
    });
  }

  private async apply(
    plan: RegisterPlan,
    event: RequestEvent,
  ): Promise<{ bindings: Binding[] } | { refusal: Refusal }> {
    if (plan.kind === 'fetch') return { bindings: await this.store.lookup(plan.aor) };
    const { req } = event;
    let refusal: Refusal | undefined;
    const context = (): RegisterContext => ({
      now: this.store.now(),
      node: this.node,
      flowId: req.source.flowId,
      source: req.source,
      userAgent: req.get('user-agent'),
      maxContacts: this.config.maxContacts,
    });
    const bindings = await this.store.update(plan.aor, (current) => {
      const outcome = applyRegister(current, plan, context());
      refusal = 'refusal' in outcome ? outcome.refusal : undefined;
      return 'refusal' in outcome ? undefined : outcome.bindings;
    });
    if (refusal) return { refusal };
    this.follow(req.source.flowId, plan.aor, event);
    return { bindings };
  }

  private accept(
    event: RequestEvent,
    plan: RegisterPlan,
    bindings: Binding[],
    auth: DigestSuccess | undefined,
  ): Registration {
    const locations = this.locations(bindings);
    const now = this.store.now();
    const headers: Record<string, string | string[]> = { Date: new Date(now).toUTCString() };
    if (locations.length > 0) headers.Contact = contactsOf(locations);
    // RFC 5626 §6: a registrar that did outbound processing says so, to a UA that supports it.
    const outbound = plan.kind === 'bind' && plan.contacts.some((c) => c.regId !== undefined);
    if (outbound && hasOptionTag(event.req, 'supported', 'outbound')) headers.Require = 'outbound';
    event.res.send(200, { headers });
    const kind = plan.kind === 'fetch' ? 'fetched' : locations.length === 0 ? 'unregistered' : 'registered';
    const registration: Registration = { aor: plan.aor, kind, bindings: locations, event };
    if (auth) registration.auth = auth;
    return registration;
  }

  // Remembers which AORs have bindings over a connection, so its closing can remove them.
  private follow(flowId: string | undefined, aor: string, event: RequestEvent): void {
    if (flowId === undefined) return;
    const aors = this.flows.get(flowId);
    if (aors) {
      aors.add(aor);
      return;
    }
    if (this.flows.size >= MAX_FLOWS) {
      event.req.context?.log.warn({ flowId, limit: MAX_FLOWS }, 'registrar: too many connections followed');
      return;
    }
    this.flows.set(flowId, new Set([aor]));
  }

  // RFC 5626 §5.3: an outbound binding whose flow closed is no longer used; the others made over
  // it are reached by their Contact from now on.
  private flowClosed(flowId: string, event: RequestEvent): void {
    const aors = this.flows.get(flowId);
    if (!aors) return;
    this.flows.delete(flowId);
    const ours = (b: Binding) => b.flowId === flowId && b.node === this.node;
    for (const aor of aors) {
      this.store
        .update(aor, (current) =>
          current.some(ours)
            ? current
                .filter((b) => !(ours(b) && isOutbound(b)))
                .map((b) => {
                  if (!ours(b)) return b;
                  const { flowId: _closed, ...rest } = b;
                  return rest;
                })
            : undefined,
        )
        .catch((err: unknown) =>
          event.req.context?.log.warn(
            { err, aor, flowId },
            'registrar: could not drop the bindings of a closed flow',
          ),
        );
    }
  }
}
