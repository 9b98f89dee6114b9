import type { Endpoint } from '../transport/types.js';

/**
 * One Contact bound to an address of record (RFC 3261 §10.3), as a {@link LocationStore} keeps
 * it: plain data, so a store may serialize it (the Redis store writes it as JSON).
 */
export interface Binding {
  /** The Contact URI as registered, without its angle brackets. */
  contact: string;
  /** The Contact's `q` (0 to 1) when it had one; a binding without counts as 1 when ordering. */
  q?: number;
  /** When it expires, in ms on the store's clock ({@link LocationStore.now}). */
  expiresAt: number;
  /** When it was last registered or refreshed, on the same clock. */
  updatedAt: number;
  /** The Call-ID of the REGISTER that made or last refreshed it (RFC 3261 §10.3 step 7). */
  callId: string;
  /** That REGISTER's CSeq number: an older one for the same Call-ID is refused. */
  cseq: number;
  /** RFC 5626 / RFC 5627: the Contact's `+sip.instance`, when it had one. */
  instance?: string;
  /** RFC 5626: the Contact's `reg-id`, with `instance` the key of an outbound registration. */
  regId?: number;
  /** The connection it registered over (TCP, TLS, WS, WSS), meaningful on {@link Binding.node} only. */
  flowId?: string;
  /** The registrar node that received it: only that node can send over its flow. */
  node?: string;
  /** Where the REGISTER came from: protocol, address and port. */
  source?: Endpoint;
  /** The REGISTER's User-Agent, for operators' eyes. */
  userAgent?: string;
}

/** Where to reach a registered user: a binding, with what a request to it needs. */
export interface Location {
  /** The Contact URI: the Request-URI of a request to it. */
  uri: string;
  /** The binding's `q`, 1 when it had none. */
  q: number;
  /** Seconds until it expires. */
  expires: number;
  /**
   * The connection to send over (RFC 5626 §5.3), when the binding came over one that this node
   * holds; `undefined` otherwise (the URI is resolved as usual).
   */
  flowId?: string;
  /** The stored binding. */
  binding: Binding;
}

/**
 * Whether a binding is an RFC 5626 outbound registration: `+sip.instance` and `reg-id`
 * together name its flow.
 *
 * @param binding - a stored binding
 * @returns true when it has both
 */
export function isOutbound(binding: Binding): boolean {
  return binding.instance !== undefined && binding.regId !== undefined;
}

/**
 * RFC 3261 §16.6 / §10.2.1.2: higher `q` first (no `q` counts as 1), then the most recently
 * refreshed: the order a proxy tries a user's contacts in.
 *
 * @param a - one binding
 * @param b - another
 * @returns a negative number when `a` comes first
 */
export function byPreference(a: Binding, b: Binding): number {
  return (b.q ?? 1) - (a.q ?? 1) || b.updatedAt - a.updatedAt;
}

/**
 * Seconds left until a binding expires, rounded up, never negative.
 *
 * @param binding - the binding
 * @param now - the store's clock, ms
 * @returns the seconds for a Contact's `expires`
 */
export function secondsLeft(binding: Binding, now: number): number {
  return Math.max(0, Math.ceil((binding.expiresAt - now) / 1000));
}
