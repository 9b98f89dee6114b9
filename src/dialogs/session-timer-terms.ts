import type { HeaderInit, SipMessage, SipRequest } from '../sip/message.js';
import { hasOptionTag } from '../sip/option-tags.js';

/** Session timer settings (RFC 4028); seconds. */
export interface SessionTimerConfig {
  /** The interval rxsip asks for in its own INVITEs (default 1800). */
  expires: number;
  /** The smallest interval accepted; smaller requests get 422 (default 90, the RFC's floor). */
  minSE: number;
}

/** RFC 4028's recommended interval and its floor. */
export const DEFAULT_SESSION_TIMERS: SessionTimerConfig = { expires: 1800, minSE: 90 };

/** Which side refreshes: `uac` is the sender of the request that set the timer, `uas` its receiver. */
export type Refresher = 'uac' | 'uas';

/** What a dialog's session timer runs on: the interval, whether we refresh, and how. */
export interface SessionTimerTerms {
  /** Seconds. */
  delta: number;
  /** True when rxsip is the refresher. */
  refreshing: boolean;
  /** Refresh with UPDATE (the peer allows it) rather than re-INVITE. */
  useUpdate: boolean;
}

/** Whether a message says its sender supports session timers (Supported: timer). */
export function supportsTimer(message: SipMessage): boolean {
  return hasOptionTag(message, 'supported', 'timer');
}

/** The Session-Expires of a message, or undefined when absent or malformed. */
export function sessionExpiresOf(message: SipMessage): { delta: number; refresher?: Refresher } | undefined {
  return message.tryParsedHeader('session-expires');
}

/**
 * RFC 4028 §9: what a UAS answers a request asking for a session timer: 422 with Min-SE when
 * the interval is too small, else the headers for its 2xx (Session-Expires with the refresher the
 * request named, or the UAC when it supports timers, else us; Require: timer when it does).
 *
 * @param request - the INVITE (or refreshing request) received
 * @param config - our settings
 * @returns the 422's headers, the 2xx's headers and the terms, or undefined when no timer is asked for
 * @example
 * const timer = negotiateAsUas(req, DEFAULT_SESSION_TIMERS);
 * if (timer && 'reject' in timer) res.send(422, { headers: timer.reject });
 */
export function negotiateAsUas(
  request: SipRequest,
  config: SessionTimerConfig,
): { reject: HeaderInit } | { headers: HeaderInit; delta: number; refresher: Refresher } | undefined {
  const asked = sessionExpiresOf(request);
  if (!asked) return undefined;
  if (asked.delta < config.minSE) return { reject: { 'Min-SE': config.minSE } };
  const uacSupports = supportsTimer(request);
  const refresher: Refresher = asked.refresher ?? (uacSupports ? 'uac' : 'uas');
  const headers: HeaderInit = { 'Session-Expires': `${asked.delta};refresher=${refresher}` };
  if (uacSupports) headers.Require = 'timer';
  return { headers, delta: asked.delta, refresher };
}
