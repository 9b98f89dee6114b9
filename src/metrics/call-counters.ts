// Calls counted from the call detail records the Srf makes anyway (every attempt, start and
// stop is built whether or not anyone listens): a few integer increments per call.
import type { CdrEvent, CdrReason } from '../dialogs/cdr.js';

/** Which way a call goes: received from the network, or placed by the application. */
export type CallDirection = 'inbound' | 'outbound';

/** Calls since the counting started: attempts, answers, and ends by reason. */
export class CallCounters {
  /** INVITEs that started a call attempt, by direction. */
  readonly attempts = { inbound: 0, outbound: 0 };
  /** Calls answered (a 2xx made the dialog), by direction. */
  readonly answered = { inbound: 0, outbound: 0 };
  /** Calls and attempts that ended, by drachtio-server's reason. */
  readonly ended = new Map<CdrReason, number>();

  /**
   * Counts one call detail record.
   *
   * @param event - an attempt, a start or a stop
   */
  count(event: CdrEvent): void {
    switch (event.type) {
      case 'attempt':
        if (event.source === 'network') this.attempts.inbound++;
        else this.attempts.outbound++;
        break;
      case 'start':
        if (event.role === 'uas') this.answered.inbound++;
        else this.answered.outbound++;
        break;
      case 'stop':
        this.ended.set(event.reason, (this.ended.get(event.reason) ?? 0) + 1);
        break;
    }
  }
}
