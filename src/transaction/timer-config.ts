/** RFC 3261 §17.1.1.1 timer values (ms), configurable as §17 allows. */
export interface TransactionTimers {
  /** RTT estimate, 500 ms by default. */
  t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses, 4 s. */
  t2: number;
  /** Longest time a message stays in the network, 5 s. */
  t4: number;
  /** Server INVITE: 100 Trying is sent when the application has not answered within this (ms). */
  tryingDelay: number;
  /** Timer D: how long a completed INVITE client transaction absorbs retransmissions (≥ 32 s). */
  timerD: number;
}

export const DEFAULT_TIMERS: TransactionTimers = {
  t1: 500,
  t2: 4000,
  t4: 5000,
  tryingDelay: 200,
  timerD: 32_000,
};
