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
export type { Confirmation, EarlyInvite } from './dialogs/dialog.js';
export {
  Dialog,
  type DialogEnd,
  type DialogEndpoint,
  type DialogState,
  type RequestOptions as DialogRequestOptions,
} from './dialogs/dialog.js';
export { DialogRegistry } from './dialogs/dialog-registry.js';
export { type InviteClientOptions, inviteClient } from './dialogs/invite-client.js';
export { referProgress, sipfragStatus } from './dialogs/refer-progress.js';
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
  SessionTimer,
  type SessionTimerConfig,
} from './dialogs/session-timer.js';
export { SipError } from './dialogs/sip-error.js';
export { subscribe$ } from './dialogs/subscribe-client.js';
export {
  DEFAULT_SUBSCRIPTION_EXPIRES,
  SubscriptionTimer,
  subscriptionStateOf,
} from './dialogs/subscription.js';
export { ALLOW, requestUri, SUPPORTED, type UacOptions, type UacProgress, uac$ } from './dialogs/uac.js';
export { EarlyDialogs, type PrackSender } from './dialogs/uac-early.js';
export { allows, type SdpSource, type UasOptions, uas$ } from './dialogs/uas.js';
export { earlyDialogOf, UasInvite } from './dialogs/uas-invite.js';
export { agentOf, UserAgent, type UserAgentTimers } from './dialogs/user-agent.js';
export {
  type EmbeddedEngineOptions,
  startEmbeddedEngine,
  validateEngineOptions,
} from './engine/embedded-engine.js';
export type { Engine, InboundRequest, OutboundEvent, SendOptions } from './engine/engine.js';
export { parseListenSpec } from './engine/listen-spec.js';
export { StackEngine, type StackEngineOptions } from './engine/stack-engine.js';
export { asUas } from './operators/as-uas.js';
export { type B2buaTarget, b2bua } from './operators/b2bua.js';
export { filterMethod, type MethodFilter } from './operators/filter-method.js';
export { type ProxyDestinations, proxy } from './operators/proxy.js';
export { relayInDialog } from './operators/relay-in-dialog.js';
export { tieLegs } from './operators/tie-legs.js';
export { bestResponse } from './proxy/best-response.js';
export { parseDuration } from './proxy/duration.js';
export { isOwnRoute, isOwnUri } from './proxy/own-route.js';
export {
  destinationUri,
  type ProxyContext,
  type ProxyOptions,
  type ProxyResponseRecord,
  type ProxyResult,
  proxyRequest,
} from './proxy/proxy-request.js';
export { forwardRouted } from './proxy/route-forwarding.js';
export { ackFor2xx, ackInDialog } from './sip/ack-for-2xx.js';
export { type AuthHeader, parseAuthHeader, stringifyAuthHeader } from './sip/auth-header.js';
export { createRequest, createResponse, type RequestInit, type ResponseInit } from './sip/build.js';
export {
  checkRequest,
  DEFAULT_REQUEST_POLICY,
  type Rejection,
  type RequestPolicy,
} from './sip/check-request.js';
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
export { canonicalHeaderName, headerKey } from './sip/header-names.js';
export { MAGIC_COOKIE, newBranch, newCallId, newTag } from './sip/ids.js';
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
export type { B2buaProgressCallbacks, CreateUacOptions, LateOffer, ProgressCallbacks } from './srf.js';
export { finalResponse, Srf, type SrfOptions } from './srf.js';
export { type AuthProvider, authorize, type Credentials, withDigestAuth } from './streams/digest-auth.js';
export { buildRequest, normalizeUri, type RequestOptions } from './streams/out-of-dialog-request.js';
export type { RequestEvent, RequestHandler } from './streams/request-router.js';
export { RequestStream } from './streams/request-stream.js';
export { type AckFunction, SentRequest } from './streams/sent-request.js';
export { SrfRequest } from './streams/srf-request.js';
export {
  type SendCallback,
  type SendOptions as ResponseSendOptions,
  SrfResponse,
} from './streams/srf-response.js';
export { DEFAULT_TIMERS, type TransactionTimers } from './transaction/timer-config.js';
export type { ClientFailure } from './transaction/transaction-context.js';
export { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from './transaction/transaction-layer.js';
export { type DnsLookup, resolveTargets } from './transport/resolver.js';
export { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from './transport/socket-transport-layer.js';
export type { Endpoint, ListeningPoint, ListenOptions, Protocol, Source, Target } from './transport/types.js';
