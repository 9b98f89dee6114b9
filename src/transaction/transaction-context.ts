import type { Logger } from 'pino';
import type { SipResponse } from '../sip/message.js';
import type { Target } from '../transport/types.js';
import type { TransactionTimers } from './timer-config.js';
import type { TimerService } from './timer-service.js';
import type { TransactionStats } from './transaction-stats.js';

/** What a transaction needs from its layer. */
export interface TransactionContext {
  readonly config: TransactionTimers;
  readonly timers: TimerService;
  transmit(data: Buffer, target: Target, onError?: (err: Error) => void): void;
  /** Called once, when the transaction reaches Terminated: it leaves the table if still there. */
  terminated(key: string, side: 'client' | 'server', transaction: object): void;
  readonly log: Logger;
  /** Counters for metrics, incremented where responses and retransmissions leave. */
  readonly stats: TransactionStats;
}

/** Why a client transaction ended without a response from the peer. */
export type ClientFailure = 'timeout' | 'transport-error';

/** The transaction user of a client transaction (RFC 3261 §17.1). */
export interface ClientTransactionUser {
  /** A response from the peer. For INVITE, 2xx retransmissions and forks come too (RFC 6026). */
  onResponse(response: SipResponse): void;
  /**
   * No response will come: Timer B/F fired, or no final response came 64*T1 after a CANCEL
   * (`timeout`, with a 408), or the transport failed
   * (`transport-error`, with a 503), as RFC 3261 §8.1.3.1 says to treat them.
   */
  onFailure(failure: ClientFailure, response: SipResponse): void;
  /**
   * The transaction ended (after Timer D or M, or at once on failure). A non-INVITE client
   * transaction lets go of its user once it has passed the final response up (RFC 3261
   * §17.1.2.2: Completed only absorbs retransmissions), so it does not call this after Timer K;
   * nor does an INVITE one after Timer D (a non-2xx final), or after a 2xx when the user gave
   * `later2xx`.
   */
  onTerminated?(): void;
  /**
   * INVITE only: where the 2xx responses after the first go — retransmissions (the ACK was
   * lost) and other forks' answers — for as long as RFC 6026 §7.2's Accepted state lasts
   * (Timer M). Given, the transaction lets go of this user at the first 2xx and keeps only this
   * function for those 32 s (as a non-INVITE one does at its final response), so it should
   * close over no more than re-ACKing or relaying needs. Without it, they reach `onResponse`.
   */
  readonly later2xx?: (response: SipResponse) => void;
}

export interface ClientTransaction {
  readonly key: string;
  readonly branch: string;
  readonly target: Target;
  readonly state: string;
}
