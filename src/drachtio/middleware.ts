import type { Observable } from 'rxjs';
import { Dialog as RxDialog } from '../dialogs/dialog.js';
import { earlyDialogOf } from '../dialogs/uas-invite.js';
import type { ErrorHandler, RequestHandler } from '../requests/request-router.js';
import type { SrfRequest } from '../requests/srf-request.js';
import type { SrfResponse } from '../requests/srf-response.js';
import type { SipRequest } from '../sip/message.js';
import { Request } from './request.js';
import { Response } from './response.js';

/** Passes a request on to the next handler, or with an error to the error handlers. */
export type NextFunction = (err?: unknown) => void;

/** A drachtio-srf middleware or method handler. */
export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

/** A drachtio-srf error-handling middleware: four parameters, as in connect. */
export type ErrorMiddleware = (err: Error, req: Request, res: Response, next: NextFunction) => unknown;

/**
 * A drachtio-srf handler as the router's: the same arity (connect tells error handlers by their
 * four parameters), with drachtio-srf's Request and Response in place of rxsip's.
 *
 * @param handler - the application's handler
 * @returns the router's handler
 */
export function wrapHandler(handler: Handler | ErrorMiddleware): RequestHandler | ErrorHandler {
  if (handler.length === 4) {
    const h = handler as ErrorMiddleware;
    return (err: unknown, req: SrfRequest, res: SrfResponse, next: NextFunction) =>
      h(err instanceof Error ? err : new Error(String(err)), Request.of(req), responseOf(req, res), next);
  }
  const h = handler as Handler;
  return (req: SrfRequest, res: SrfResponse, next: NextFunction) =>
    h(Request.of(req), responseOf(req, res), next);
}

/**
 * The Response of a new request: the ACK of its 2xx (for `fnAck`) arrives on the dialog the 2xx
 * makes, whether `createUAS` or a plain `res.send(200)` sent it.
 *
 * @param req - the request
 * @param res - its rxsip response
 * @returns its drachtio-srf Response
 */
export function responseOf(req: SrfRequest, res: SrfResponse): Response {
  return Response.of(res, () => ackOf(req));
}

function ackOf(req: SrfRequest): Observable<SipRequest> | undefined {
  const dialog = earlyDialogOf(req);
  return dialog instanceof RxDialog ? dialog.ack$ : undefined;
}
