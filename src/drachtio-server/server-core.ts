import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import type { UserAgent } from '../dialogs/user-agent.js';
import type { Engine, InboundRequest } from '../engine/engine.js';
import type { AppConnection, AppRegistry } from './app-connection.js';
import type { CdrEmitter } from './cdr-emitter.js';
import type { ServerDialog, ServerDialogs } from './server-dialogs.js';
import type { DrachtioServerLimits } from './server-options.js';

/** A request from the network handed to an app, until its final response. */
export interface IncomingTransaction {
  /** The id the app answers with (stable for the transaction: retransmissions never reach it). */
  txnId: string;
  inbound: InboundRequest;
  app: AppConnection;
  /** The To tag of every response the app sends that has none (RFC 3261 §8.2.6.2). */
  toTag: string;
  /** The dialog it arrived in. */
  dialog?: ServerDialog;
  /** The app proxies it (a `proxy` message). */
  proxied: boolean;
}

/** What the parts of rxsip's drachtio server share. */
export interface ServerCore {
  readonly engine: Engine;
  readonly scheduler: SchedulerLike;
  readonly log: Logger;
  /** The UA core's timers and context: 2xx retransmission, the stateful proxy. */
  readonly ua: UserAgent;
  readonly apps: AppRegistry;
  readonly dialogs: ServerDialogs;
  readonly incoming: Map<string, IncomingTransaction>;
  readonly cdr: CdrEmitter;
  readonly limits: DrachtioServerLimits;
}
