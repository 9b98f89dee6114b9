import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import type { Engine } from '../engine/engine.js';

/**
 * What the layers above the engine share with the requests they receive: the engine that
 * sends, the scheduler every timer runs on, and the logger. The dialog layer's user agent is one.
 */
export interface RequestContext {
  /** The engine requests and responses are sent with. */
  readonly engine: Engine;
  /** The scheduler every timer runs on. */
  readonly scheduler: SchedulerLike;
  /** The logger. */
  readonly log: Logger;
}
