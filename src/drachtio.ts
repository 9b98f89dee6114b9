/**
 * rxsip/drachtio: drachtio-srf 5's module shape over rxsip's reactive core.
 * @packageDocumentation
 */

export { SipError } from './dialogs/sip-error.js';
export { type AckFunction, SentRequest } from './drachtio/sent-request.js';
export {
  type B2buaProgressCallbacks,
  type CreateUacOptions,
  type LateOffer,
  type ProgressCallbacks,
  Srf,
} from './drachtio/srf.js';
