/** RFC 3261 §17.1.1.1 timer values (ms), configurable as §17 allows. */
export interface TransactionTimers {
  /** RTT estimate, 500 ms by default. */
  t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses, 4 s. */
  t2: number;
  /** Longest time a message stays in the network, 5 s. */
  t4: number;
  /**
   * Server INVITE: 100 Trying is sent when the application has not answered within this (ms);
   * 0 sends it as the INVITE arrives, ahead of any other response (drachtio-server's way).
   */
  tryingDelay: number;
  /** Timer D: how long a completed INVITE client transaction absorbs retransmissions (≥ 32 s). */
  timerD: number;
  /**
   * A non-INVITE request the application has not answered within this (ms) is answered 500 by the
   * stack, so no server transaction outlives its client (whose Timer F is 64*T1).
   */
  answerTimeout: number;
  /**
   * An INVITE not answered within this (ms), or within its Expires, is answered 408 (487 when
   * its Expires ran out, RFC 3261 §13.3.1.1).
   */
  inviteAnswerTimeout: number;
}

export const DEFAULT_TIMERS: TransactionTimers = {
  t1: 500,
  t2: 4000,
  t4: 5000,
  tryingDelay: 200,
  timerD: 32_000,
  answerTimeout: 32_000,
  inviteAnswerTimeout: 180_000,
};
