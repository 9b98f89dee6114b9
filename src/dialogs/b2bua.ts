import {
  catchError,
  defaultIfEmpty,
  EMPTY,
  filter,
  map,
  mergeMap,
  Observable,
  of,
  Subscription,
  take,
} from 'rxjs';
import type { RequestEvent } from '../requests/srf-request.js';
import type { HeaderInit, SipResponse } from '../sip/message.js';
import { hasOptionTag } from '../sip/option-tags.js';
import {
  type B2buaOptions,
  type B2buaProgress,
  headersForA,
  reasonHeaders,
  sdpFor,
} from './b2bua-options.js';
import { copyHeaders } from './copy-headers.js';
import type { Dialog } from './dialog.js';
import { SipError } from './sip-error.js';
import { uac$ } from './uac.js';
import type { UacOptions, UacProgress } from './uac-options.js';
import { uas$ } from './uas.js';
import { agentOf } from './user-agent.js';

export type { B2buaOptions, B2buaProgress, SdpTransform } from './b2bua-options.js';

/**
 * Bridges an incoming INVITE (A) to `target` (B), the drachtio-srf createB2BUA way (cold):
 * B's provisional responses are relayed to A (reliable ones end to end), a CANCEL from A cancels
 * B with its Reason, B's answer is given to A (its SDP through `localSdpA`), and a late offer
 * from A goes through with B's offer and A's answer in its ACK. Emits B's progress, then
 * `connected` with both dialogs, and completes. Its subscription owns what it listens to on A
 * (CANCEL, PRACK) and the B leg: unsubscribing before B answers cancels B.
 *
 * A call's failure is the call's: B's failure is sent to A and the observable ends with
 * `rejected` instead of `connected`; A's cancel (B is cancelled) and a failure of A's answer
 * after B answered (B is hung up) end it with neither. Only with `passFailure: false`, while A
 * still waits for an answer, does B's failure error with {@link SipError}: the application has
 * asked to handle it.
 *
 * @param event - A's INVITE and its response
 * @param target - B's URI (or `host[:port]`)
 * @param options - drachtio-srf's createB2BUA options
 * @returns the progress, ending with `connected`
 * @example
 * ```ts
 * import { b2buaProgress$, type RequestEvent } from 'rxsip';
 *
 * declare const call: RequestEvent;
 * b2buaProgress$(call, 'sip:bob@192.0.2.9').subscribe((p) => {
 *   if (p.type === 'connected') p.uac.ended$.subscribe(() => console.log('B hung up'));
 *   else if (p.type === 'rejected') console.log('B refused:', p.error.status);
 * });
 * ```
 */
export function b2buaProgress$(
  event: RequestEvent,
  target: string,
  options: B2buaOptions = {},
): Observable<B2buaProgress> {
  const { req, res } = event;
  return new Observable<B2buaProgress>((subscriber) => {
    const ua = agentOf(req);
    const owned = new Subscription();
    const passProvisional = options.passProvisionalResponses ?? true;
    const passFailure = options.passFailure ?? true;
    const relay100rel =
      passProvisional && (hasOptionTag(req, 'supported', '100rel') || hasOptionTag(req, 'require', '100rel'));
    const lateOffer = req.payload.length === 0;
    // Object.assign, not a spread: see lint/no-spread-then-member.grit.
    const uacOptions: UacOptions = Object.assign({}, options, {
      method: 'INVITE' as const,
      localSdp: lateOffer ? undefined : (options.localSdpB ?? req.body),
      headers: Object.assign(copyHeaders(req, options.proxyRequestHeaders), options.headers),
      callingNumber: options.callingNumber ?? req.callingNumber,
      callingName: options.callingName ?? req.callingName,
      calledNumber: options.calledNumber ?? req.calledNumber,
      noAck: lateOffer,
      prack: relay100rel ? ('manual' as const) : ('auto' as const),
    });
    let prackWaiting: ((body: string) => void) | undefined;
    let cancelB: ((headers: HeaderInit) => void) | undefined;
    if (relay100rel) {
      // A's PRACK (with its body, for an offer/answer in PRACK) is sent on to B.
      owned.add(
        req.prack$.subscribe(({ req: prack, res: prackRes }) => {
          prackRes.send(200);
          prackWaiting?.(prack.body);
          prackWaiting = undefined;
        }),
      );
    }
    owned.add(req.cancel$.subscribe((cancel) => cancelB?.(reasonHeaders(cancel))));
    const failed = (what: string) => (err: unknown) => ua.log.warn({ err, callId: req.get('call-id') }, what);
    const endB = (uac: Dialog) => uac.end$().subscribe({ error: failed('could not hang up the B leg') });
    // A's answer once B answered; when A cannot be answered (cancelled, its SDP failed), B is hung up.
    const answerA = (sdp$: Observable<string>, uac: Dialog, headers: HeaderInit): Observable<Dialog> =>
      sdp$.pipe(
        catchError((err: unknown) => {
          ua.log.error({ err, callId: req.get('call-id') }, 'localSdpA failed: answering 500');
          if (!res.finalResponseSent) res.send(500);
          return EMPTY;
        }),
        mergeMap((sdp) => uas$(event, { localSdp: sdp, headers })),
        defaultIfEmpty(undefined),
        mergeMap((uas) => {
          if (uas) return of(uas);
          endB(uac);
          return EMPTY;
        }),
      );
    // B's progress, run by hand as mergeMap and catchError would: what needs no pipeline (the
    // common case) is emitted at once; the rest (localSdpA a function, a late offer, A's answer)
    // runs as an inner subscription in `steps`. The call ends when B's progress and every inner
    // one have.
    const steps = new Subscription();
    owned.add(steps);
    let running = 0;
    let bDone = false;
    const fail = (err: unknown) => {
      steps.unsubscribe();
      if (!(err instanceof SipError)) return subscriber.error(err);
      if (res.finalResponseSent || err.status === 487) return subscriber.complete();
      if (!passFailure) return subscriber.error(err);
      try {
        res.send(err.status, err.reason, { headers: err.res ? headersForA(options, err.res) : {} });
      } catch (thrown) {
        return subscriber.error(thrown);
      }
      subscriber.next({ type: 'rejected', error: err });
      subscriber.complete();
    };
    // What a step throws errors the call, as it would in an operator.
    const guarded =
      <A extends unknown[]>(step: (...args: A) => void) =>
      (...args: A) => {
        try {
          step(...args);
        } catch (err) {
          fail(err);
        }
      };
    const ended = () => {
      if (bDone && running === 0) subscriber.complete();
    };
    const run = <T>(inner: Observable<T>, next: (value: T) => void, empty?: () => void) => {
      running++;
      let seen = false;
      steps.add(
        inner.subscribe({
          next: guarded((value: T) => {
            seen = true;
            next(value);
          }),
          error: fail,
          complete: guarded(() => {
            running--;
            if (!seen) empty?.();
            ended();
          }),
        }),
      );
    };
    const emit = (p: B2buaProgress) => subscriber.next(p);
    const relayProvisional = (progress: Extract<UacProgress, { type: 'provisional' }>): void => {
      const response = progress.response;
      if (!passProvisional || response.status <= 101 || res.finalResponseSent) {
        emit(progress);
        return;
      }
      const prack = relay100rel ? progress.prack : undefined;
      if (prack)
        prackWaiting = (body) =>
          owned.add(prack(body ? { body } : {}).subscribe({ error: failed('PRACK to B failed') }));
      const send = (sdp: string) => {
        const headers = headersForA(options, response);
        if (prack) headers.Require = '100rel';
        if (sdp) headers['Content-Type'] = 'application/sdp';
        res.send(response.status, response.reason, { headers, body: sdp || undefined });
      };
      // No SDP, B's, localSdpA's text, or a function of B's: only the last needs a pipeline.
      const sdp = response.payload.length === 0 ? '' : (options.localSdpA ?? response.body);
      if (typeof sdp !== 'string') {
        run(sdpFor(sdp, response.body, response), (text) => {
          send(text);
          emit(progress);
        });
        return;
      }
      send(sdp);
      emit(progress);
    };
    // B answered: `uac`, then A answered with B's SDP (or localSdpA's), then `connected`; an A
    // that cannot be answered (cancelled, its transaction gone, its SDP failed) hangs up B.
    const connect = (uac: Dialog, answer: SipResponse): void => {
      const headers = headersForA(options, answer);
      const localSdp = options.localSdpA ?? uac.remote.sdp;
      emit({ type: 'uac', uac });
      if (subscriber.closed) return;
      const connected = (uas: Dialog) => emit({ type: 'connected', uas, uac });
      if (typeof localSdp === 'function')
        run(answerA(sdpFor(localSdp, uac.remote.sdp, answer), uac, headers), connected);
      else run(uas$(event, { localSdp, headers }), connected, () => endB(uac));
    };
    const next = (progress: UacProgress) => {
      if (progress.type === 'request') {
        cancelB = progress.cancel;
        return emit(progress);
      }
      if (progress.type === 'provisional') return relayProvisional(progress);
      if (progress.type === 'offer') {
        // A's late offer: B offered in its 2xx; A answers in its ACK, which B's ACK carries.
        const response = progress.response;
        const answered$ = answerA(
          sdpFor(options.localSdpA, progress.sdp, response),
          progress.dialog,
          headersForA(options, response),
        ).pipe(
          mergeMap((uas) =>
            uas.ack$.pipe(
              take(1),
              map((ack): B2buaProgress => ({ type: 'connected', uas, uac: progress.ack(ack.body) })),
            ),
          ),
        );
        return run(answered$, emit);
      }
      connect(progress.dialog, progress.response);
    };
    steps.add(
      uac$(ua, target, uacOptions).subscribe({
        next: guarded(next),
        error: fail,
        complete: () => {
          bDone = true;
          ended();
        },
      }),
    );
    return owned;
  });
}

/**
 * The two legs once connected (see `b2buaProgress$`); completes without a value when the
 * call did not connect (the failure has been answered to A), and errors only with
 * `passFailure: false`.
 *
 * @param event - A's INVITE and its response
 * @param target - B's URI
 * @param options - drachtio-srf's createB2BUA options
 * @returns both legs
 * @example
 * ```ts
 * import { mergeMap } from 'rxjs';
 * import { b2bua$, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * srf.invite$.pipe(mergeMap((call) => b2bua$(call, 'sip:192.0.2.9'))).subscribe(({ uas, uac }) => {
 *   uas.ended$.subscribe(() => uac.end());
 *   uac.ended$.subscribe(() => uas.end());
 * });
 * ```
 */
export function b2bua$(
  event: RequestEvent,
  target: string,
  options: B2buaOptions = {},
): Observable<{ uas: Dialog; uac: Dialog }> {
  return b2buaProgress$(event, target, options).pipe(
    filter((p): p is { type: 'connected'; uas: Dialog; uac: Dialog } => p.type === 'connected'),
    map(({ uas, uac }) => ({ uas, uac })),
  );
}
