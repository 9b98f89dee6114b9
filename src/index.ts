/**
 * rxsip: SIP applications as RxJS pipelines. What applications use: the reactive `Srf`, the
 * per-call functions (`uas$`, `b2bua$`, `proxy$`), the operators, `Dialog`, `SipError`, and the
 * types of the messages and the engine. The message toolkit is `rxsip/sip`, the testing kit
 * `rxsip/testing`, drachtio-srf's shape `rxsip/drachtio`.
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
  Dialog,
  type DialogEnd,
  type DialogEndpoint,
  type DialogState,
  type EndOptions,
  type ReinviteOffer,
  type RequestOptions as DialogRequestOptions,
} from './dialogs/dialog.js';
export type { InDialogRequestKind } from './dialogs/incoming-streams.js';
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
  type Refresher,
  type SessionTimerConfig,
  type SessionTimerRequest,
} from './dialogs/session-timer-terms.js';
export { SipError } from './dialogs/sip-error.js';
export { DEFAULT_SUBSCRIPTION_EXPIRES, subscriptionStateOf } from './dialogs/subscription.js';
export type { PrackSender } from './dialogs/uac-early.js';
export type { UacOptions, UacProgress } from './dialogs/uac-options.js';
export { type SdpSource, type UasOptions, uas$ } from './dialogs/uas.js';
export { earlyDialogOf } from './dialogs/uas-invite.js';
export type { UserAgentTimers } from './dialogs/user-agent.js';
export {
  DRACHTIO_SERVER_VERSION,
  DrachtioServer,
  startDrachtioServer,
} from './drachtio-server/drachtio-server.js';
export {
  DEFAULT_DRACHTIO_SERVER_LIMITS,
  type DrachtioAdminOptions,
  type DrachtioOutboundOptions,
  type DrachtioServerLimits,
  type DrachtioServerOptions,
} from './drachtio-server/server-options.js';
export type { CdrRecord } from './drachtio-wire/cdr-message.js';
export type { MessageSource } from './drachtio-wire/sip-meta.js';
export type { DrachtioCdr, DrachtioConnectionEvent } from './engine/drachtio/connection-event.js';
export { DrachtioEngine } from './engine/drachtio/drachtio-engine.js';
export {
  DEFAULT_DRACHTIO_LIMITS,
  DRACHTIO_METHODS,
  type DrachtioConnectOptions,
  type DrachtioEngineOptions,
  type DrachtioLimits,
  type DrachtioListenOptions,
  type DrachtioPing,
  type DrachtioReconnect,
} from './engine/drachtio/drachtio-options.js';
export { DrachtioAuthError } from './engine/drachtio/server-link.js';
export { type EmbeddedEngineOptions, startEmbeddedEngine } from './engine/embedded-engine.js';
export type {
  Engine,
  EngineStats,
  InboundRequest,
  LostDialog,
  OutboundEvent,
  RespondOptions,
  SendOptions as EngineSendOptions,
} from './engine/engine.js';
export type { CallDirection } from './metrics/call-counters.js';
export {
  type MetricsServer,
  type MetricsServerOptions,
  startMetricsServer,
} from './metrics/metrics-server.js';
export { SrfMetrics, type SrfMetricsOptions } from './metrics/srf-metrics.js';
export { asUas } from './operators/as-uas.js';
export { type AuthenticatedRequest, authenticate } from './operators/authenticate.js';
export { type B2buaTarget, b2bua } from './operators/b2bua.js';
export { filterMethod } from './operators/filter-method.js';
export { proxy } from './operators/proxy.js';
export { type RelayLeg, relayInDialog } from './operators/relay-in-dialog.js';
export { type TiedLeg, tieLegs } from './operators/tie-legs.js';
export { type ProxyDestinations, proxy$ } from './proxy/proxy-call.js';
export type { ProxyOptions, ProxyResponseRecord, ProxyResult, ProxyTarget } from './proxy/proxy-request.js';
export {
  type Binding,
  byPreference,
  isOutbound,
  type Location,
} from './registrar/binding.js';
export {
  type BindingChange,
  type LocationStore,
  LocationStoreFullError,
} from './registrar/location-store.js';
export { MemoryLocationStore, type MemoryLocationStoreOptions } from './registrar/memory-location-store.js';
export type { RateLimit } from './registrar/rate-limit.js';
export {
  type RedisCommands,
  RedisLocationStore,
  type RedisLocationStoreOptions,
} from './registrar/redis-location-store.js';
export { Registrar, type Registration } from './registrar/registrar.js';
export type { RegistrarOptions } from './registrar/registrar-options.js';
export { ALLOW, SUPPORTED } from './requests/capabilities.js';
export type { AuthProvider, Credentials } from './requests/digest-client.js';
export {
  DigestAuthenticator,
  type DigestAuthOptions,
  type DigestAuthorizationFields,
  type DigestMiddleware,
  type DigestMiddlewareRequest,
  type DigestRequest,
  type DigestResponse,
  type UserLookup,
  type UserSecret,
} from './requests/digest-server.js';
export type { DigestRefusal, DigestSuccess, DigestVerdict } from './requests/digest-verdict.js';
export type { RequestOptions } from './requests/out-of-dialog-request.js';
export { type RequestEvent, SrfRequest } from './requests/srf-request.js';
export {
  type SendCallback,
  type SendOptions as ResponseSendOptions,
  SrfResponse,
} from './requests/srf-response.js';
export type { HeaderInit, HeaderValue } from './sip/message.js';
export { SipMessage, SipRequest, SipResponse } from './sip/message.js';
export type { DrainOptions, DrainResult } from './srf/drain.js';
export { Srf, type SrfOptions } from './srf/srf.js';
export type { TransactionTimers } from './transaction/timer-config.js';
export type { ClientFailure } from './transaction/transaction-context.js';
export type { TransactionLimits } from './transaction/transaction-layer.js';
export type {
  ResponseClass,
  TransactionCount,
  TransactionMethod,
  TransactionSide,
} from './transaction/transaction-stats.js';
export type { DnsLookup } from './transport/resolver.js';
export type { TransportLimits } from './transport/socket-transport-layer.js';
export type { Endpoint, ListeningPoint, ListenOptions, Protocol, Source, Target } from './transport/types.js';
