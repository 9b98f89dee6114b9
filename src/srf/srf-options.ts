import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import { z } from 'zod';
import type { SessionTimerConfig } from '../dialogs/session-timer-terms.js';
import type { UserAgentTimers } from '../dialogs/user-agent.js';
import { describeIssue } from '../engine/embedded-engine.js';

/** How an Srf runs: its logger, its clock, and the dialog layer's settings. */
export interface SrfOptions {
  /** Where it logs (default: pino at `warn`, so a library given no logger stays quiet). */
  logger?: Logger;
  /** The scheduler dialog timers run on (2xx retransmission, session timers); a TestScheduler in tests. */
  scheduler?: SchedulerLike;
  /** T1/T2 for the UA core's 2xx retransmission (RFC 3261 §13.3.1.4); defaults 500/4000 ms. */
  timers?: Partial<UserAgentTimers>;
  /** Random numbers in [0, 1) for RSeq starts and the 491 back-off; injectable for tests. */
  random?: () => number;
  /** Session timers (RFC 4028): the interval asked for (`expires`) and the smallest accepted (`minSE`), seconds. */
  sessionTimers?: Partial<SessionTimerConfig>;
}

const positive = z.number().int().positive();
const schema = z.strictObject({
  logger: z
    .custom<Logger>((v) => typeof v === 'object' && v !== null && 'child' in v, 'a pino logger')
    .optional(),
  scheduler: z
    .custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && 'schedule' in v, 'an RxJS scheduler')
    .optional(),
  timers: z.strictObject({ t1: positive, t2: positive }).partial().optional(),
  random: z.custom<() => number>((v) => typeof v === 'function', 'a function').optional(),
  sessionTimers: z
    .strictObject({ expires: z.number().int().min(90), minSE: z.number().int().min(90) })
    .partial()
    .optional(),
});

/**
 * Checks an Srf's options, throwing an error that names the bad or unknown field.
 *
 * @param options - the options given to `new Srf()`
 * @example
 * new Srf({ tmers: { t1: 200 } }); // TypeError: srf options: tmers: unknown option
 */
export function validateSrfOptions(options: SrfOptions): void {
  const result = schema.safeParse(options);
  if (!result.success) throw new TypeError(describeIssue('srf options', result.error.issues[0]));
}
