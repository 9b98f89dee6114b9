/**
 * rxsip/drachtio: drachtio-srf 5's module shape over rxsip's reactive core.
 * `const Srf = require('rxsip/drachtio')` gives the Srf class, with `Srf.SipError`,
 * `Srf.Dialog`, `Srf.parseUri` and the rest beside it, as `require('drachtio-srf')` does.
 * @packageDocumentation
 */

import { Srf } from './drachtio/srf.js';

export { SipError } from './dialogs/sip-error.js';
export type {
  AnyRequest,
  AnyResponse,
  B2buaLegs,
  B2buaProgressCallbacks,
  Callback,
  CreateB2buaOptions,
  CreateUacOptions,
  CreateUasOptions,
  LateOffer,
  ProgressCallbacks,
  UacArgument,
} from './drachtio/call-forms.js';
export { Dialog, type DialogEvents, type DialogRequestOptions, NoDialogError } from './drachtio/dialog.js';
export type { DialogStateEmitter, DialogStateEvent, DialogStateOptions } from './drachtio/dialog-state.js';
export type { EventMap } from './drachtio/event-surface.js';
export type { ErrorMiddleware, Handler, NextFunction } from './drachtio/middleware.js';
export {
  type DigestAuthorization,
  type PayloadPart,
  type Registration,
  Request,
  type RequestEvents,
} from './drachtio/request.js';
export { type AckCallback, Response, type ResponseEvents } from './drachtio/response.js';
export { type AckFunction, SentRequest, type SentRequestEvents } from './drachtio/sent-request.js';
export { Srf } from './drachtio/srf.js';
export { SrfBase, type SrfEvents } from './drachtio/srf-base.js';
export { SrfMiddleware } from './drachtio/srf-middleware.js';
export { DialogDirection, DialogState } from './drachtio/srf-statics.js';
export { type DrachtioSipUri, type DrachtioTelUri, parseUri, stringifyUri } from './drachtio/uri.js';
export { SipMessage, SipRequest, SipResponse } from './sip/message.js';

// require('rxsip/drachtio') is the Srf class itself (Node's require(esm) takes this name).
export { Srf as 'module.exports' };
export default Srf;
