import type { SecureContextOptions } from 'node:tls';

/** Transport protocols rxsip listens and sends on. */
export type Protocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export const PROTOCOLS: readonly Protocol[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/** A transport address. `address` is an IP literal without brackets. */
export interface Endpoint {
  /** The transport protocol the address is reached over. */
  protocol: Protocol;
  /** An IPv4 or IPv6 literal, IPv6 without brackets (`2001:db8::1`). */
  address: string;
  /** The port number. */
  port: number;
}

/** Where a message came from: the peer, the listening point it reached, and its connection. */
export interface Source extends Endpoint {
  /** Our listening point the message reached (for a connection, the one that accepted or opened it). */
  local: Endpoint;
  /** The connection it arrived on (connection-oriented protocols). */
  flowId?: string;
}

/** Where to send a message. With `flowId`, that connection is used while it is open. */
export interface Target extends Endpoint {
  /** The connection to send on while it is open, as RFC 5626 flows and responses over TCP want (RFC 3261 §18.2.2). */
  flowId?: string;
  /** The host name the address was resolved from: TLS server name and certificate check. */
  hostname?: string;
}

/** A listening point to open. */
export interface ListenOptions {
  /** The transport to listen on. */
  protocol: Protocol;
  /** The local address to bind: an IP literal, or `0.0.0.0` / `::` for every interface. */
  host: string;
  /** The port to bind; 0 lets the system choose one (the chosen one is in the `ListeningPoint`). */
  port: number;
  /** The address to advertise in Via/Contact/Record-Route when `host` is a wildcard or behind NAT. */
  advertisedHost?: string;
  /** The port to advertise with `advertisedHost`, when a NAT or load balancer maps it; the bound port otherwise. */
  advertisedPort?: number;
  /** Certificate and key for `tls`/`wss`. */
  tls?: SecureContextOptions;
  /** HTTP path for `ws`/`wss` (default any). */
  path?: string;
}

/** A listening point once open: the bound address and what goes into Via/Contact. */
export interface ListeningPoint extends Endpoint {
  /** The host and port written into Via, Contact and Record-Route for this point. */
  advertised: { host: string; port: number };
}

/** Via transport token for a protocol (RFC 3261 §20.42, RFC 7118 §5). */
export function viaTransport(protocol: Protocol): string {
  return protocol.toUpperCase();
}

export function protocolOfVia(transport: string): Protocol | undefined {
  const p = transport.toLowerCase();
  return (PROTOCOLS as readonly string[]).includes(p) ? (p as Protocol) : undefined;
}

export function isReliable(protocol: Protocol): boolean {
  return protocol !== 'udp';
}

export function isSecure(protocol: Protocol): boolean {
  return protocol === 'tls' || protocol === 'wss';
}

/** RFC 3261 §19.1.2 / RFC 7118: 5061 for TLS, 443 for WSS, 80 for WS, 5060 otherwise. */
export function defaultPort(protocol: Protocol): number {
  if (protocol === 'tls') return 5061;
  if (protocol === 'wss') return 443;
  if (protocol === 'ws') return 80;
  return 5060;
}

export function endpointKey(e: Endpoint): string {
  return `${e.protocol}|${e.address}|${e.port}`;
}

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
