import {
  catchError,
  concat,
  defer,
  filter,
  from,
  map,
  mergeMap,
  type Observable,
  of,
  take,
  tap,
  throwError,
} from 'rxjs';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { RequestEvent } from '../streams/request-router.js';
import { copyHeaders } from './copy-headers.js';
import type { Dialog } from './dialog.js';
import { SipError } from './sip-error.js';
import { type UacOptions, type UacProgress, uac$ } from './uac.js';
import { uas$ } from './uas.js';
import { agentOf } from './user-agent.js';

export type SdpTransform = string | ((sdp: string, res: SipResponse) => string | Promise<string>);

export interface B2buaOptions extends Omit<UacOptions, 'localSdp' | 'method' | 'noAck' | 'prack'> {
  /** The SDP for A: text, or a function of B's SDP and response. Default: B's SDP as it is. */
  localSdpA?: SdpTransform;
  /** The SDP offered to B. Default: A's offer. */
  localSdpB?: string;
  /** Headers on every response to A: an object, or a function of B's response and the headers so far. */
  responseHeaders?: HeaderInit | ((res: SipResponse, headers: HeaderInit) => HeaderInit);
  /** Headers copied from A's INVITE to B's: names, or `['all', '-X-Foo']`. */
  proxyRequestHeaders?: string[];
  /** Headers copied from B's responses to A's: names, or `['all', '-X-Foo']`. */
  proxyResponseHeaders?: string[];
  /** Send B's failure to A (default true); with false, A stays unanswered for a fallback. */
  passFailure?: boolean;
  /** Relay B's provisional responses to A (default true); reliable ones end to end when A supports 100rel. */
  passProvisionalResponses?: boolean;
}

/** A B2BUA's progress: the B leg's, then `uac` when B answers, then both legs. */
export type B2buaProgress =
  | UacProgress
  | { type: 'uac'; uac: Dialog }
  | { type: 'connected'; uas: Dialog; uac: Dialog };

function supports100rel(req: SipRequest): boolean {
  return [req.get('supported'), req.get('require')].some((v) =>
    (v ?? '').split(',').some((t) => t.trim().toLowerCase() === '100rel'),
  );
}

function reasonHeaders(cancel: SipRequest): HeaderInit {
  // drachtio-srf #150: a CANCEL's Reason reaches the B leg.
  const headers: HeaderInit = {};
  for (const name of ['Reason', 'X-Reason']) {
    const value = cancel.get(name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

function sdpFor(transform: SdpTransform | undefined, sdp: string, res: SipResponse): Observable<string> {
  if (transform === undefined) return of(sdp);
  if (typeof transform === 'string') return of(transform);
  const value = transform(sdp, res);
  return typeof value === 'string' ? of(value) : from(value);
}

/**
 * Bridges an incoming INVITE (A) to `target` (B), the drachtio-srf createB2BUA way (cold):
 * B's provisional responses are relayed to A (reliable ones end to end), a CANCEL from A cancels
 * B with its Reason, B's answer is given to A (its SDP through `localSdpA`), and a late offer
 * from A goes through with B's offer and A's answer in its ACK. Emits B's progress, then
 * `connected` with both dialogs. B's failure errors with SipError, after being sent to A unless
 * `passFailure` is false (A then stays unanswered: try another target).
 */
export function b2buaProgress$(
  event: RequestEvent,
  target: string,
  options: B2buaOptions = {},
): Observable<B2buaProgress> {
  const { req, res } = event;
  return defer(() => {
    const ua = agentOf(req);
    const passProvisional = options.passProvisionalResponses ?? true;
    const relay100rel = passProvisional && supports100rel(req);
    const lateOffer = req.payload.length === 0;
    const headersForA = (response: SipResponse): HeaderInit => {
      const copied = copyHeaders(response, options.proxyResponseHeaders);
      const extra = options.responseHeaders;
      return typeof extra === 'function'
        ? { ...copied, ...extra(response, copied) }
        : { ...copied, ...extra };
    };
    const uacOptions: UacOptions = {
      ...options,
      method: 'INVITE',
      localSdp: lateOffer ? undefined : (options.localSdpB ?? req.body),
      headers: { ...copyHeaders(req, options.proxyRequestHeaders), ...options.headers },
      callingNumber: options.callingNumber ?? req.callingNumber,
      callingName: options.callingName ?? req.callingName,
      calledNumber: options.calledNumber ?? req.calledNumber,
      noAck: lateOffer,
      prack: relay100rel ? 'manual' : 'auto',
    };
    let prackWaiting: ((body: string) => void) | undefined;
    if (relay100rel) {
      // A's PRACK (with its body, for an offer/answer in PRACK) is sent on to B.
      req.prack$.subscribe(({ req: prack, res: prackRes }) => {
        prackRes.send(200);
        prackWaiting?.(prack.body);
        prackWaiting = undefined;
      });
    }
    return uac$(ua, target, uacOptions).pipe(
      mergeMap((progress): Observable<B2buaProgress> => {
        if (progress.type === 'request') {
          req.cancel$.subscribe((cancel) => progress.cancel(reasonHeaders(cancel)));
          return of(progress);
        }
        if (progress.type === 'provisional') {
          const response = progress.response;
          if (!passProvisional || response.status <= 101 || res.finalResponseSent) return of(progress);
          const reliable = relay100rel && progress.prack !== undefined;
          const prack = progress.prack;
          if (reliable && prack) prackWaiting = (body) => prack(body ? { body } : {}).subscribe();
          const send = (sdp: string) => {
            const headers = headersForA(response);
            if (reliable) headers.Require = '100rel';
            if (sdp) headers['Content-Type'] = 'application/sdp';
            res.send(response.status, response.reason, { headers, body: sdp || undefined });
          };
          const relayed =
            response.payload.length > 0
              ? sdpFor(options.localSdpA, response.body, response).pipe(tap(send))
              : of('').pipe(tap(send));
          return relayed.pipe(map(() => progress));
        }
        if (progress.type === 'offer') {
          // A's late offer: B offered in its 2xx; A answers in its ACK, which B's ACK carries.
          const response = progress.response;
          return sdpFor(options.localSdpA, progress.sdp, response).pipe(
            mergeMap((sdp) => uas$(event, { localSdp: sdp, headers: headersForA(response) })),
            mergeMap((uas) =>
              uas.ack$.pipe(
                take(1),
                map((ack) => ({ type: 'connected' as const, uas, uac: progress.ack(ack.body) })),
              ),
            ),
            catchError((err: unknown) => {
              void progress.dialog.destroy();
              return throwError(() => err);
            }),
          );
        }
        const uac = progress.dialog;
        const answer = progress.response;
        return concat(
          of<B2buaProgress>({ type: 'uac', uac }),
          sdpFor(options.localSdpA, uac.remote.sdp, answer).pipe(
            mergeMap((sdp) => uas$(event, { localSdp: sdp, headers: headersForA(answer) })),
            map((uas): B2buaProgress => ({ type: 'connected', uas, uac })),
            catchError((err: unknown) => {
              // A is gone (cancelled, or its answer failed): B must not stay up.
              void uac.destroy();
              return throwError(() => err);
            }),
          ),
        );
      }),
      catchError((err: unknown) => {
        if (
          err instanceof SipError &&
          (options.passFailure ?? true) &&
          !res.finalResponseSent &&
          err.status !== 487
        ) {
          const headers = err.res ? headersForA(err.res) : {};
          res.send(err.status, err.reason, { headers });
        }
        return throwError(() => err);
      }),
    );
  });
}

/** The two legs once connected (see {@link b2buaProgress$}). */
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
