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

/** A session timer a UAS asks for itself (RFC 4028 §9), in `uas$`'s options. */
export interface SessionTimerRequest {
  /** The interval in seconds: put in a 2xx to an INVITE that asked for none, and the most accepted from one that asked for more. */
  expires: number;
  /** Who refreshes when the INVITE left it open (default the UAC when it supports timers; always us when it does not). */
  refresher?: Refresher;
}

/**
 * RFC 4028 §9: what a UAS answers a request about session timers: 422 with Min-SE when the
 * interval asked for is too small, else the headers for its 2xx (Session-Expires with the
 * refresher the request named, or the UAC when it supports timers, else us; Require: timer when
 * it does). With `ask`, the UAS uses a timer even when the request asked for none, and lowers
 * a longer interval to `ask.expires` (never below the request's Min-SE).
 *
 * @param request - the INVITE (or refreshing request) received
 * @param config - our settings
 * @param ask - the timer the UAS wants of its own, if any
 * @returns the 422's headers, the 2xx's headers and the terms, or undefined when there is no timer
 * @example
 * const timer = negotiateAsUas(req, DEFAULT_SESSION_TIMERS, { expires: 300 });
 * if (timer && 'reject' in timer) res.send(422, { headers: timer.reject });
 */
export function negotiateAsUas(
  request: SipRequest,
  config: SessionTimerConfig,
  ask?: SessionTimerRequest,
): { reject: HeaderInit } | { headers: HeaderInit; delta: number; refresher: Refresher } | undefined {
  const asked = sessionExpiresOf(request);
  if (!asked && !ask) return undefined;
  if (asked && asked.delta < config.minSE) return { reject: { 'Min-SE': config.minSE } };
  const uacSupports = supportsTimer(request);
  // RFC 4028 §9: the UAS may lower the interval, not below the request's Min-SE (90 s without one).
  const floor = Math.max(request.tryParsedHeader('min-se') ?? 90, 90);
  const delta = asked
    ? Math.min(asked.delta, Math.max(ask?.expires ?? asked.delta, floor))
    : Math.max(ask?.expires ?? 0, floor);
  // The refresher the request named; else the UAC when it supports timers (ours to choose when
  // we asked), else us: a UAC without timer support cannot refresh (RFC 4028 §9).
  const refresher: Refresher = asked?.refresher ?? (uacSupports ? (ask?.refresher ?? 'uac') : 'uas');
  const headers: HeaderInit = { 'Session-Expires': `${delta};refresher=${refresher}` };
  if (uacSupports) headers.Require = 'timer';
  return { headers, delta, refresher };
}
