import type { Endpoint, Protocol } from './types.js';

/** A connection-oriented flow (TCP, TLS, WebSocket) as the transport layer tracks it. */
export interface Connection {
  readonly flowId: string;
  readonly protocol: Protocol;
  /** The peer's address and port. */
  readonly remote: { address: string; port: number };
  /** The listening point it belongs to (for outbound connections, the one of its protocol). */
  readonly local: Endpoint;
  /** Last time (scheduler clock, ms) data went either way. */
  lastActivity: number;
  /**
   * When the first byte of a message still incomplete arrived (scheduler clock, ms); undefined
   * when no message is in progress or the transport cannot tell (WebSocket frames whole).
   */
  readonly messageStartedAt?: number | undefined;
  send(data: Buffer, onError?: (err: Error) => void): void;
  close(): void;
}

let nextFlow = 0;

/** Flow identifiers: unique within the process, cheap to compare and log. */
export function newFlowId(protocol: Protocol): string {
  nextFlow = (nextFlow + 1) % Number.MAX_SAFE_INTEGER;
  return `${protocol}-${nextFlow.toString(36)}`;
}
