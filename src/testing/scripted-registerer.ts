import { filter, map, type Observable, type SchedulerLike } from 'rxjs';
import type { Credentials } from '../requests/digest-client.js';
import type { Srf } from '../srf/srf.js';

/** How a registering client registers. */
export interface RegisterScript {
  /** Seconds asked for (default 3600; 0 unregisters). */
  expires?: number;
  /** Answers a 401/407. */
  auth?: Credentials;
  /** The Contact to bind (default `<sip:<name>@<address>>`). */
  contact?: string;
}

/**
 * A named client on the virtual network that REGISTERs (RFC 3261 §10) through its own Srf.
 * Each `register` emits the final status (a challenge it answers is not emitted) and completes.
 *
 * @example
 * ```ts
 * import { sipTest } from 'rxsip/testing';
 *
 * sipTest(({ app, registerer, marbles }) => {
 *   app().register$.subscribe(({ res }) => res.send(200));
 *   const carol = registerer('carol');
 *   marbles.expectObservable(carol.register('sip:10.0.0.2', { expires: 600 })).toBe('2ms (s|)', { s: 200 });
 * });
 * ```
 */
export class ScriptedRegisterer {
  /**
   * @param name - its name in the ladder and its user part
   * @param address - its IP address
   * @param srf - the UA it speaks through
   * @param scheduler - the virtual clock
   */
  constructor(
    /** Its name in the ladder and the user of its address of record. */
    readonly name: string,
    /** Its IP address on the virtual network. */
    readonly address: string,
    /** The UA it speaks through: its own Srf on its own engine. */
    readonly srf: Srf,
    /** The virtual clock. */
    readonly scheduler: SchedulerLike,
  ) {}

  /** `sip:<name>@<address>`. */
  get uri(): string {
    return `sip:${this.name}@${this.address}`;
  }

  /**
   * Sends REGISTER to `registrar` for its address of record `sip:<name>@<registrar host>`.
   *
   * @param registrar - the registrar's URI
   * @param script - expires, credentials, contact
   * @returns the final status, then completes
   */
  register(registrar: string, script: RegisterScript = {}): Observable<number> {
    const host = registrar.replace(/^sips?:/, '').replace(/^[^@]*@/, '');
    const aor = `<sip:${this.name}@${host}>`;
    return this.srf
      .send$(registrar, {
        method: 'REGISTER',
        headers: {
          From: aor,
          To: aor,
          Contact: script.contact ?? `<${this.uri}>`,
          Expires: script.expires ?? 3600,
        },
        auth: script.auth,
      })
      .pipe(
        filter((r) => r.status >= 200),
        map((r) => r.status),
      );
  }
}
