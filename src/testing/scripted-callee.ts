import { type Observable, type SchedulerLike, Subject } from 'rxjs';
import type { Dialog } from '../dialogs/dialog.js';
import { uas$ } from '../dialogs/uas.js';
import type { RequestEvent } from '../requests/srf-request.js';
import { stringifyAuthHeader } from '../sip/auth-header.js';
import { createChallenge, verifyCredentials } from '../sip/digest.js';
import type { Srf } from '../srf/srf.js';
import { offerFrom } from './scripted-caller.js';

/** How a scripted callee takes each call, times in ms of virtual time. */
export interface CalleeScript {
  /** Sends 180 first (default true). */
  ring?: boolean;
  /** Answers this long after the INVITE arrived (default 0). */
  answerAfter?: number;
  /** Refuses with this status instead of answering (after `answerAfter`). */
  reject?: number;
  /** Challenges with 401 (realm, user and password), then takes the call it authorizes. */
  challenge?: { realm: string; username: string; password: string };
  /** Hangs up this long after answering. */
  hangUpAfter?: number;
  /** The answer (default: an audio answer from its address). */
  sdp?: string;
}

/**
 * A named callee on the virtual network, a real UA (its own Srf): for each INVITE it rings,
 * answers, refuses, challenges or hangs up as its script says. `events$` emits, in virtual
 * time, `'invite'`, `'challenged'`, `'answered'`, `'rejected <status>'`, `'cancelled'`, then
 * `'hung up'` (it ended the call) or `'ended'` (the caller did); `history` keeps them as
 * `'<ms> <event>'`, and `dialogs` the calls it answered.
 *
 * @example
 * ```ts
 * import { b2bua, relayInDialog, tieLegs } from 'rxsip';
 * import { sipTest } from 'rxsip/testing';
 *
 * sipTest(({ app, caller, callee, marbles }) => {
 *   const bob = callee('bob', { answerAfter: 2000 });
 *   app().invite$.pipe(b2bua(bob.uri), tieLegs(), relayInDialog()).subscribe();
 *   caller('alice').call('sip:bob@10.0.0.2', { hangUpAfter: 5000 });
 *   // The INVITE reaches bob at 2 ms; he answers at 2002 ms; alice's BYE, relayed, at 7006 ms.
 *   marbles.expectObservable(bob.events$).toBe('2ms i 1999ms a 5003ms e', { i: 'invite', a: 'answered', e: 'ended' });
 * });
 * ```
 */
export class ScriptedCallee {
  private readonly events = new Subject<string>();
  /** Every event so far, as `'<ms> <event>'`. */
  readonly history: string[] = [];
  /** The calls it answered. */
  readonly dialogs: Dialog[] = [];
  private script: CalleeScript;

  /**
   * @param name - its name in the ladder
   * @param address - its IP address
   * @param srf - the UA it speaks through
   * @param scheduler - the virtual clock its script runs on
   * @param script - how it takes calls
   */
  constructor(
    /** Its name in the ladder and the user part of its URI. */
    readonly name: string,
    /** Its IP address on the virtual network. */
    readonly address: string,
    /** The UA it speaks through: its own Srf on its own engine. */
    readonly srf: Srf,
    private readonly scheduler: SchedulerLike,
    script: CalleeScript = {},
  ) {
    this.script = script;
    srf.invite$.subscribe((call) => this.take(call));
  }

  /** `sip:<name>@<address>`. */
  get uri(): string {
    return `sip:${this.name}@${this.address}`;
  }

  /** What it does, as it happens. */
  get events$(): Observable<string> {
    return this.events.asObservable();
  }

  /**
   * Changes how the next calls are taken; a call already taken goes on as it began.
   *
   * @param script - the new script, replacing the old one whole
   */
  behave(script: CalleeScript): void {
    this.script = script;
  }

  private emit(event: string): void {
    this.history.push(`${this.scheduler.now()} ${event}`);
    this.events.next(event);
  }

  private take(call: RequestEvent): void {
    const script = this.script;
    const { req, res } = call;
    const challenge = script.challenge;
    if (challenge) {
      const credentials = req.tryParsedHeader('authorization')?.[0];
      const ok =
        credentials?.params.username === challenge.username &&
        verifyCredentials(credentials, { method: req.method, password: challenge.password });
      if (!ok) {
        this.emit('challenged');
        res.send(401, {
          headers: { 'WWW-Authenticate': stringifyAuthHeader(createChallenge({ realm: challenge.realm })) },
        });
        return;
      }
    }
    this.emit('invite');
    let settled = false;
    call.req.cancel$.subscribe(() => {
      settled = true;
      this.emit('cancelled');
    });
    if (script.ring ?? true) res.send(180);
    this.scheduler.schedule(() => {
      if (settled || res.finalResponseSent) return;
      settled = true;
      if (script.reject !== undefined) {
        res.send(script.reject);
        this.emit(`rejected ${script.reject}`);
        return;
      }
      uas$(call, { localSdp: script.sdp ?? offerFrom(this.address) }).subscribe((dialog) => {
        this.dialogs.push(dialog);
        this.emit('answered');
        dialog.ended$.subscribe((end) => this.emit(end.initiator === 'local' ? 'hung up' : 'ended'));
        const after = script.hangUpAfter;
        if (after !== undefined) this.scheduler.schedule(() => void dialog.end(), after);
      });
    }, script.answerAfter ?? 0);
  }
}
