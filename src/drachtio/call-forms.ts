import type { Observable } from 'rxjs';
import { type B2buaOptions, b2buaProgress$ } from '../dialogs/b2bua.js';
import type { Dialog as RxDialog } from '../dialogs/dialog.js';
import { SipError } from '../dialogs/sip-error.js';
import type { UacOptions, UacProgress } from '../dialogs/uac-options.js';
import type { UasOptions } from '../dialogs/uas.js';
import type { SrfRequest } from '../requests/srf-request.js';
import type { SrfResponse } from '../requests/srf-response.js';
import type { SipResponse } from '../sip/message.js';
import { Dialog } from './dialog.js';
import { type DialogStateOptions, DialogStateReport } from './dialog-state.js';
import { Request } from './request.js';
import { Response } from './response.js';
import { SentRequest } from './sent-request.js';

/** drachtio-srf's `(err, value)` callback. */
export type Callback<T> = (err: Error | null, value?: T) => void;

/** createUAS's options: the answer's SDP and headers, and drachtio-srf's dialog-state reports. */
export interface CreateUasOptions extends UasOptions, DialogStateOptions {}

/** createB2BUA's options: the B2BUA's, and drachtio-srf's dialog-state reports for both legs. */
export interface CreateB2buaOptions extends B2buaOptions, DialogStateOptions {}

/** createUac's options: a call's, and the URI when given as one object. */
export interface CreateUacOptions extends UacOptions, DialogStateOptions {
  /** The Request-URI, when the options are the first argument. */
  uri?: string;
}

/** drachtio-srf's progress callbacks for createUac/createB2BUA. */
export interface ProgressCallbacks {
  /** The INVITE was sent: `req.cancel()` cancels it. drachtio-srf's signature `(err, req)`. */
  cbRequest?: (err: Error | null, req: SentRequest) => void;
  /** Each provisional response (not 100). */
  cbProvisional?: (res: SipResponse) => void;
}

/** drachtio-srf's createB2BUA progress callbacks. */
export interface B2buaProgressCallbacks extends ProgressCallbacks {
  /** B answered (before A is answered). */
  cbFinalizedUac?: (uac: Dialog) => void;
}

/** createUac with `noAck` on a late offer (drachtio-srf's 3pcc shape). */
export interface LateOffer {
  /** The offer in the callee's 2xx. */
  sdp: string;
  /** The callee's 2xx. */
  res: SipResponse;
  /**
   * Sends the ACK with our answer.
   *
   * @param localSdp - the answer
   * @returns the dialog
   */
  ack(localSdp: string): Promise<Dialog>;
  /** ACKs with the offer itself, then hangs up. */
  destroy(): Promise<void>;
}

/** Both legs of a B2BUA call. */
export interface B2buaLegs {
  /** The leg towards the caller (A). */
  uas: Dialog;
  /** The leg towards the callee (B). */
  uac: Dialog;
}

/** An incoming request in either form: drachtio-srf's Request or rxsip's. */
export type AnyRequest = Request | SrfRequest;
/** A response in either form. */
export type AnyResponse = Response | SrfResponse;

/** The rxsip request under either form. */
export function coreRequest(req: AnyRequest): SrfRequest {
  return req instanceof Request ? req.msg : req;
}

/** The rxsip response under either form. */
export function coreResponse(res: AnyResponse): SrfResponse {
  return res instanceof Response ? res.msg : res;
}

/** A dialog the drachtio Srf's user agent made: always its drachtio-srf class. */
export function drachtioDialog(dialog: RxDialog): Dialog {
  if (!(dialog instanceof Dialog)) throw new TypeError('rxsip/drachtio: a dialog not made by its Srf');
  return dialog;
}

/** Resolves the callback from the Promise, or returns the Promise: drachtio-srf's two forms. */
export function settle<T, S>(
  promise: Promise<T>,
  callback: Callback<T> | undefined,
  self: S,
): Promise<T> | S {
  if (!callback) return promise;
  promise.then(
    (value) => callback(null, value),
    (err: Error) => callback(err),
  );
  return self;
}

/** Why a call ended unanswered, as drachtio-srf rejects: SipError with the final status (487 when cancelled). */
function failureOf(req: SrfRequest, final: SipResponse | undefined): SipError {
  if (req.canceled) return new SipError(487);
  return final ? new SipError(final.status, final.reason, final) : new SipError(500);
}

/** The dialog `uas$` makes, or the SipError of how the call ended before it (drachtio-srf's createUAS). */
export function dialogOrFailure(
  dialog$: Observable<RxDialog>,
  req: SrfRequest,
  res: SrfResponse,
  states?: DialogStateOptions,
): Promise<Dialog> {
  let final: SipResponse | undefined;
  res.final$.subscribe((f) => (final = f));
  const report = req.method === 'INVITE' ? DialogStateReport.start(states, req, 'initiator') : undefined;
  return new Promise<Dialog>((resolve, reject) => {
    let made = false;
    dialog$.subscribe({
      next: (dialog) => {
        made = true;
        report?.confirmed(dialog);
        resolve(drachtioDialog(dialog));
      },
      error: (err: unknown) => {
        report?.failed(undefined);
        reject(err);
      },
      complete: () => {
        if (made) return;
        const failure = failureOf(req, final);
        report?.failed(failure.status);
        reject(failure);
      },
    });
  });
}

/** createUac's arguments in every form drachtio-srf takes. */
export interface UacArguments {
  uri: string | undefined;
  options: CreateUacOptions;
  progress: ProgressCallbacks;
  callback: Callback<Dialog | LateOffer> | undefined;
}

/** One argument of createUac, in any of its forms. */
export type UacArgument =
  | string
  | CreateUacOptions
  | ProgressCallbacks
  | Callback<Dialog | LateOffer>
  | Callback<Dialog>
  | NonNullable<ProgressCallbacks['cbRequest']>
  | NonNullable<ProgressCallbacks['cbProvisional']>
  | undefined;

/**
 * `(uri, opts, [progress], [callback])`, `(opts, ...)` with `opts.uri`, `(uri, opts, callback)`,
 * and the legacy `(uri, opts, cbRequest, cbProvisional, callback)`.
 */
export function uacArguments(args: readonly UacArgument[]): UacArguments {
  const [first, ...rest] = args;
  const objectFirst = typeof first === 'object';
  const options = (objectFirst ? first : rest.shift()) as CreateUacOptions | undefined;
  const uri = objectFirst ? (first as CreateUacOptions).uri : (first as string | undefined);
  const functions = rest.filter((a) => typeof a === 'function') as Array<(...a: never[]) => void>;
  const given = rest.find((a) => typeof a === 'object') as ProgressCallbacks | undefined;
  let progress: ProgressCallbacks = given ?? {};
  let callback: Callback<Dialog | LateOffer> | undefined;
  if (given || functions.length === 1) callback = functions[0] as Callback<Dialog | LateOffer> | undefined;
  else if (functions.length >= 2) {
    const [cbRequest, cbProvisional, cb] = functions;
    progress = {
      cbRequest: cbRequest as ProgressCallbacks['cbRequest'],
      cbProvisional: cbProvisional as ProgressCallbacks['cbProvisional'],
    };
    callback = cb as Callback<Dialog | LateOffer> | undefined;
  }
  return { uri, options: options ?? {}, progress, callback };
}

/** drachtio-srf's createUac over `call$`'s progress events. */
export function uacDialog(
  call$: Observable<UacProgress>,
  progress: ProgressCallbacks,
  states?: DialogStateOptions,
): Promise<Dialog | LateOffer> {
  let report: DialogStateReport | undefined;
  return new Promise<Dialog | LateOffer>((resolve, reject) => {
    call$.subscribe({
      next: (event) => {
        if (event.type === 'request') {
          const final = new Promise<SipResponse>(() => undefined);
          if (event.request.method === 'INVITE')
            report ??= DialogStateReport.start(states, event.request, 'recipient');
          progress.cbRequest?.(null, new SentRequest(event.request, () => event.cancel(), final));
        } else if (event.type === 'provisional') {
          report?.provisional(event.response);
          progress.cbProvisional?.(event.response);
        } else if (event.type === 'offer') {
          const dialog = drachtioDialog(event.dialog);
          resolve({
            sdp: event.sdp,
            res: event.response,
            ack: (localSdp: string) => Promise.resolve(drachtioDialog(event.ack(localSdp))),
            destroy: async () => {
              event.ack(event.sdp);
              await dialog.end();
            },
          });
        } else {
          report?.confirmed(event.dialog);
          resolve(drachtioDialog(event.dialog));
        }
      },
      error: (err: unknown) => {
        report?.failed(err instanceof SipError ? err.status : undefined);
        reject(err);
      },
    });
  });
}

/** createB2BUA's arguments: drachtio-srf's `(req, res, uri, ...)` and the seed's `(uri, req, res, ...)`. */
export type B2buaArguments = [
  req: AnyRequest,
  res: AnyResponse,
  uri: string | (CreateB2buaOptions & { uri: string }),
  options?: CreateB2buaOptions,
  progress?: B2buaProgressCallbacks,
  callback?: Callback<B2buaLegs>,
];

/** drachtio-srf's createB2BUA over `b2buaProgress$`. */
export function b2buaLegs(
  ...[anyReq, anyRes, target, options = {}, progress = {}]: B2buaArguments
): Promise<B2buaLegs> {
  const req = coreRequest(anyReq);
  const res = coreResponse(anyRes);
  const uri = typeof target === 'string' ? target : target.uri;
  const opts = typeof target === 'string' ? options : target;
  let failure: SipError | undefined;
  let final: SipResponse | undefined;
  res.final$.subscribe((f) => (final = f));
  // RFC 4235 reports for both legs, as drachtio-srf gives them: A's as a call we answer, B's as one we place.
  const reportA = DialogStateReport.start(opts, req, 'initiator');
  let reportB: DialogStateReport | undefined;
  return new Promise<B2buaLegs>((resolve, reject) => {
    b2buaProgress$({ req, res }, uri, opts).subscribe({
      next: (event) => {
        if (event.type === 'request') {
          reportB ??= DialogStateReport.start(opts, event.request, 'recipient');
          progress.cbRequest?.(
            null,
            new SentRequest(event.request, () => event.cancel(), new Promise(() => undefined)),
          );
        } else if (event.type === 'provisional') {
          reportB?.provisional(event.response);
          progress.cbProvisional?.(event.response);
        } else if (event.type === 'uac') {
          reportB?.confirmed(event.uac);
          progress.cbFinalizedUac?.(drachtioDialog(event.uac));
        } else if (event.type === 'connected') {
          reportA?.confirmed(event.uas);
          const legs = { uas: drachtioDialog(event.uas), uac: drachtioDialog(event.uac) };
          legs.uas.other = legs.uac;
          legs.uac.other = legs.uas;
          resolve(legs);
        } else if (event.type === 'rejected') {
          failure = event.error;
          reportB?.failed(failure.status);
        }
      },
      error: (err: unknown) => {
        reportA?.failed(undefined);
        reject(err);
      },
      // Not connected: B's failure (passed to A), or A's cancel.
      complete: () => {
        const why = failure ?? failureOf(req, final);
        reportA?.failed(req.canceled ? 487 : why.status);
        reject(why);
      },
    });
  });
}
