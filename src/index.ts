/**
 * rxsip: SIP applications as RxJS pipelines.
 * @packageDocumentation
 */

export {
  type B2buaOptions,
  type B2buaProgress,
  b2bua$,
  b2buaProgress$,
  type SdpTransform,
} from './dialogs/b2bua.js';
export type { CdrEvent, CdrReason } from './dialogs/cdr.js';
export { copyHeaders } from './dialogs/copy-headers.js';
export {
  type Confirmation,
  Dialog,
  type DialogEnd,
  type DialogEndpoint,
  type DialogState,
  type EndOptions,
  type ReinviteOffer,
  type RequestOptions as DialogRequestOptions,
} from './dialogs/dialog.js';
export {
  type OfferAnswerEvent,
  type OfferAnswerRefusal,
  type OfferAnswerState,
  type OfferAnswerTransition,
  type OfferCarrier,
  offerAnswer,
  STABLE,
} from './dialogs/offer-answer.js';
export { sendReferProgress$, sipfragStatus } from './dialogs/refer-progress.js';
export {
  answerDirection,
  type Direction,
  isHoldOffer,
  sdpDirection,
  withDirection,
} from './dialogs/sdp-direction.js';
export {
  DEFAULT_SESSION_TIMERS,
  negotiateAsUas,
  type Refresher,
  type SessionTimerConfig,
} from './dialogs/session-timer-terms.js';
export { SipError } from './dialogs/sip-error.js';
export { DEFAULT_SUBSCRIPTION_EXPIRES, subscriptionStateOf } from './dialogs/subscription.js';
export type { PrackSender } from './dialogs/uac-early.js';
export type { UacOptions, UacProgress } from './dialogs/uac-options.js';
export { type SdpSource, type UasOptions, uas$ } from './dialogs/uas.js';
export { earlyDialogOf } from './dialogs/uas-invite.js';
export type { UserAgentTimers } from './dialogs/user-agent.js';
export {
  type EmbeddedEngineOptions,
  startEmbeddedEngine,
  validateEngineOptions,
} from './engine/embedded-engine.js';
export type { Engine, InboundRequest, OutboundEvent, SendOptions } from './engine/engine.js';
export { parseListenSpec } from './engine/listen-spec.js';
export { asUas } from './operators/as-uas.js';
export { type B2buaTarget, b2bua } from './operators/b2bua.js';
export { filterMethod } from './operators/filter-method.js';
export { proxy } from './operators/proxy.js';
export { type RelayLeg, relayInDialog } from './operators/relay-in-dialog.js';
export { type TiedLeg, tieLegs } from './operators/tie-legs.js';
export { bestResponse } from './proxy/best-response.js';
export { parseDuration } from './proxy/duration.js';
export { type ProxyDestinations, proxy$ } from './proxy/proxy-call.js';
export type { ProxyOptions, ProxyResponseRecord, ProxyResult } from './proxy/proxy-request.js';
export { ALLOW, SUPPORTED } from './requests/capabilities.js';
export { type AuthProvider, authorize, type Credentials, withDigestAuth } from './requests/digest-client.js';
export { buildRequest, normalizeUri, type RequestOptions } from './requests/out-of-dialog-request.js';
export type { RequestContext } from './requests/request-context.js';
export type { ErrorHandler, RequestHandler } from './requests/request-router.js';
export { type RequestEvent, SrfRequest } from './requests/srf-request.js';
export {
  type ResponseChannel,
  type SendCallback,
  type SendOptions as ResponseSendOptions,
  SrfResponse,
} from './requests/srf-response.js';
export { ackFor2xx, ackInDialog } from './sip/ack-for-2xx.js';
export { type AuthHeader, parseAuthHeader, stringifyAuthHeader } from './sip/auth-header.js';
export { createRequest, createResponse, type RequestInit, type ResponseInit } from './sip/build.js';
export {
  checkRequest,
  DEFAULT_REQUEST_POLICY,
  type Rejection,
  type RequestPolicy,
} from './sip/check-request.js';
export { firstContactUri } from './sip/contact.js';
export { type CSeq, parseCSeq, stringifyCSeq } from './sip/cseq.js';
export {
  type DialogRoute,
  type InDialogOptions,
  inDialogRequest,
  uacDialogRoute,
  uasDialogRoute,
} from './sip/dialog-route.js';
export {
  type AnswerOptions,
  answerChallenge,
  createChallenge,
  type DigestAlgorithm,
  type DigestInput,
  digestHa1,
  digestResponse,
  isSupportedAlgorithm,
  type VerifyOptions,
  verifyCredentials,
} from './sip/digest.js';
export { SipParseError } from './sip/errors.js';
export { hasHeader, mergeHeaders, SINGLETON_HEADERS } from './sip/header-init.js';
export { canonicalHeaderName, headerKey } from './sip/header-names.js';
export { newBranch, newCallId, newTag } from './sip/ids.js';
export {
  type ContentType,
  type HeaderField,
  type HeaderInit,
  type HeaderValue,
  isRequest,
  isResponse,
  type ParsedHeader,
  type ParsedHeaders,
  type RAck,
  type SessionExpires,
  SipMessage,
  SipRequest,
  SipResponse,
} from './sip/message.js';
export { type NameAddr, parseNameAddr, parseNameAddrList, stringifyNameAddr } from './sip/name-addr.js';
export { hasOptionTag } from './sip/option-tags.js';
export { type Params, parseParams, stringifyParams } from './sip/params.js';
export { parseMessage } from './sip/parser.js';
export { reasonPhrase } from './sip/status-reasons.js';
export { DEFAULT_FRAMER_LIMITS, type Frame, type FramerLimits, StreamFramer } from './sip/stream-framer.js';
export {
  type AbsoluteUri,
  bareHost,
  isSipUri,
  isTelUri,
  parseUri,
  type SipUri,
  stringifyUri,
  type TelUri,
  type Uri,
} from './sip/uri.js';
export { uriEquals } from './sip/uri-compare.js';
export { parseVia, parseViaList, stringifyVia, type Via } from './sip/via.js';
export { Srf, type SrfOptions } from './srf/srf.js';
export { DEFAULT_TIMERS, type TransactionTimers } from './transaction/timer-config.js';
export type { ClientFailure } from './transaction/transaction-context.js';
export { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from './transaction/transaction-layer.js';
export { type DnsLookup, resolveTargets } from './transport/resolver.js';
export { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from './transport/socket-transport-layer.js';
export type { Endpoint, ListeningPoint, ListenOptions, Protocol, Source, Target } from './transport/types.js';
