/**
 * rxsip/sip: the SIP message toolkit, no I/O. Parsing and serializing (RFC 3261 §7, §25),
 * building requests and responses (§8), URIs (§19.1, RFC 5118), name-addr, Via, CSeq, digest
 * authentication (RFC 7616), the server checks of RFC 4475, and stream framing (RFC 5626).
 * @packageDocumentation
 */

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
