// What the transaction layer counts for metrics: plain numbers, incremented where the thing
// already happens (a response leaving, a timer retransmitting), so counting allocates nothing.
// The metrics collector reads them on scrape.

/** Which side of a transaction (RFC 3261 §17.1 client, §17.2 server). */
export type TransactionSide = 'client' | 'server';

/** A transaction's method as its state machine sees it: INVITE's (§17.1.1, §17.2.1) or the other one. */
export type TransactionMethod = 'INVITE' | 'non-INVITE';

/** A response's class: its status code's first digit (RFC 3261 §7.2). */
export type ResponseClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | '6xx';

/** The response classes, in order. */
export const RESPONSE_CLASSES: readonly ResponseClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx'];

/** Live transactions of one side, method and state, counted when asked. */
export interface TransactionCount {
  /** Client or server. */
  side: TransactionSide;
  /** INVITE or non-INVITE. */
  method: TransactionMethod;
  /** The state, in RFC 3261 §17's (and RFC 6026's) words: `proceeding`, `accepted`, `completed`... */
  state: string;
  /** How many are in that state now. */
  count: number;
}

// Index of a (side, method) pair in `created`.
export const CLIENT_INVITE = 0;
export const CLIENT_NON_INVITE = 1;
export const SERVER_INVITE = 2;
export const SERVER_NON_INVITE = 3;

/**
 * The transaction layer's counters since it started. Responses are counted by class, indexed by
 * the status code's first digit (index 1 is 1xx, 6 is 6xx); an index beyond the array is ignored
 * by the typed array, so an odd status never throws.
 */
export class TransactionStats {
  /** Responses sent, the first time (retransmissions are counted apart), by class. */
  readonly responsesSent = new Float64Array(7);
  /** Responses received from the network, retransmitted ones included, by class. */
  readonly responsesReceived = new Float64Array(7);
  /** Requests sent again: Timer A and E, and the ACK of a non-2xx repeated for a retransmitted final. */
  requestRetransmissions = 0;
  /** Responses sent again: Timer G, a repeat for a retransmitted request, a 2xx resent by the TU in Accepted. */
  responseRetransmissions = 0;
  /** Transactions created, by side and method (`CLIENT_INVITE`, ...). */
  readonly created = new Float64Array(4);
}

/**
 * Counts one response of status `status` in `counts` (by class).
 *
 * @param counts - `responsesSent` or `responsesReceived`
 * @param status - the status code
 */
export function countResponse(counts: Float64Array, status: number): void {
  counts[(status / 100) | 0]++;
}
