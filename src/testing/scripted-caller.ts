import { type Observable, type SchedulerLike, Subject, type Subscription } from 'rxjs';
import type { Dialog } from '../dialogs/dialog.js';
import { SipError } from '../dialogs/sip-error.js';
import type { Credentials } from '../requests/digest-client.js';
import type { HeaderInit } from '../sip/message.js';
import type { Srf } from '../srf/srf.js';

/** What a scripted caller does with one call, times in ms of virtual time. */
export interface CallScript {
  /** The offer (default: an audio offer from the caller's address). */
  sdp?: string;
  /** Headers for the INVITE; From defaults to the caller's URI. */
  headers?: HeaderInit;
  /** Answers a 401/407. */
  auth?: Credentials;
  /** Cancels this long after sending the INVITE, if it is still unanswered. */
  cancelAfter?: number;
  /** Hangs up (BYE) this long after the answer. */
  hangUpAfter?: number;
  /** Sends a re-INVITE with `sdp` this long after the answer. */
  reinvite?: { after: number; sdp: string };
  /** Sends INFO with `body` this long after the answer. */
  info?: { after: number; body: string; contentType?: string };
}

/**
 * One call a scripted caller placed. `events$` emits, in virtual time: each provisional's
 * status (`'180'`, `'183'`), `'answered'`, `'rejected <status>'`, `'cancelled'`,
 * `'reinvite <status>'`, `'info <status>'`, then `'hung up'` (the caller ended it) or `'ended'`
 * (the other side did), and completes. `history` keeps them as `'<ms> <event>'`.
 */
export interface PeerCall {
  /** The call's events as they happen, in virtual time; completes when the call is over. */
  readonly events$: Observable<string>;
  /** Every event so far, as `'<ms> <event>'`: for assertions after the test ran. */
  readonly history: readonly string[];
  /** The caller's dialog, once answered. */
  readonly dialog: Dialog | undefined;
}

/**
 * An audio offer from `address` (one PCMU stream on port 4000, sendrecv): what scripted
 * callers offer and scripted callees answer unless their script gives SDP.
 *
 * @param address - the IPv4 address in the o= and c= lines
 * @param version - the o= line's session version; a changed offer needs a higher one (RFC 3264 §8)
 * @returns the SDP, CRLF line ends
 * @example
 * ```ts
 * import { asUas } from 'rxsip';
 * import { offerFrom, sipTest } from 'rxsip/testing';
 *
 * sipTest(({ app, caller }) => {
 *   app().invite$.pipe(asUas({ localSdp: offerFrom('10.0.0.2') })).subscribe();
 *   const alice = caller('alice');
 *   // A re-INVITE 1 s after the answer, with a new version of the same offer.
 *   alice.call('sip:app@10.0.0.2', { reinvite: { after: 1000, sdp: offerFrom(alice.address, 2) } });
 * });
 * ```
 */
export function offerFrom(address: string, version = 1): string {
  return `v=0\r\no=peer ${version} ${version} IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n`;
}

/**
 * A named caller on the virtual network, a real UA (its own Srf): it sends INVITE with SDP,
 * and CANCELs, re-INVITEs, sends INFO and hangs up as its script says.
 *
 * @example
 * ```ts
 * import { asUas } from 'rxsip';
 * import { offerFrom, sipTest } from 'rxsip/testing';
 *
 * sipTest(({ app, caller, marbles }) => {
 *   app().invite$.pipe(asUas({ localSdp: offerFrom('10.0.0.2') })).subscribe();
 *   const alice = caller('alice');
 *   const call = alice.call('sip:app@10.0.0.2', { hangUpAfter: 5000 });
 *   marbles.expectObservable(call.events$).toBe('2ms a 4999ms (h|)', { a: 'answered', h: 'hung up' });
 * });
 * ```
 */
export class ScriptedCaller {
  /**
   * @param name - its name in the ladder
   * @param address - its IP address
   * @param srf - the UA it speaks through
   * @param scheduler - the virtual clock its script runs on
   */
  constructor(
    /** Its name in the ladder and the user part of its URI. */
    readonly name: string,
    /** Its IP address on the virtual network. */
    readonly address: string,
    /** The UA it speaks through: its own Srf on its own engine. */
    readonly srf: Srf,
    private readonly scheduler: SchedulerLike,
  ) {}

  /** `sip:<name>@<address>`. */
  get uri(): string {
    return `sip:${this.name}@${this.address}`;
  }

  /**
   * Places a call to `target`, now.
   *
   * @param target - who to call
   * @param script - what to do during the call
   * @returns the call: its events and dialog
   */
  call(target: string, script: CallScript = {}): PeerCall {
    const scheduler = this.scheduler;
    const events = new Subject<string>();
    const history: string[] = [];
    let dialog: Dialog | undefined;
    let done = false;
    const emit = (event: string) => {
      if (done) return;
      history.push(`${scheduler.now()} ${event}`);
      events.next(event);
    };
    const finish = (event: string) => {
      emit(event);
      done = true;
      events.complete();
    };
    const at = (ms: number, fn: () => void) => scheduler.schedule(fn, ms);
    const running: Subscription = this.srf
      .call$(target, {
        localSdp: script.sdp ?? offerFrom(this.address),
        headers: { From: `<${this.uri}>`, ...script.headers },
        auth: script.auth,
      })
      .subscribe({
        next: (p) => {
          if (p.type === 'provisional') emit(String(p.response.status));
          if (p.type !== 'dialog') return;
          dialog = p.dialog;
          emit('answered');
          const answered = p.dialog;
          answered.ended$.subscribe((end) => finish(end.initiator === 'local' ? 'hung up' : 'ended'));
          if (script.hangUpAfter !== undefined) at(script.hangUpAfter, () => void answered.end());
          const reinvite = script.reinvite;
          if (reinvite)
            at(reinvite.after, () =>
              answered.sendReinvite$(reinvite.sdp).subscribe({
                next: (r) => r.status >= 200 && emit(`reinvite ${r.status}`),
                error: (err: unknown) => emit(`reinvite ${err instanceof SipError ? err.status : 'failed'}`),
              }),
            );
          const info = script.info;
          if (info)
            at(info.after, () =>
              answered
                .send$({ method: 'INFO', body: info.body, contentType: info.contentType ?? 'text/plain' })
                .subscribe((r) => r.status >= 200 && emit(`info ${r.status}`)),
            );
        },
        error: (err: unknown) =>
          finish(err instanceof SipError ? `rejected ${err.status}` : `failed ${String(err)}`),
      });
    if (script.cancelAfter !== undefined)
      at(script.cancelAfter, () => {
        if (dialog || done) return;
        running.unsubscribe();
        finish('cancelled');
      });
    return {
      events$: events.asObservable(),
      history,
      get dialog() {
        return dialog;
      },
    };
  }
}
