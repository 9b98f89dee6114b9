import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import { createResponse } from '../sip/build.js';
import { checkRequest, type RequestPolicy } from '../sip/check-request.js';
import { SipParseError } from '../sip/errors.js';
import { newBranch } from '../sip/ids.js';
import { type HeaderInit, SipRequest, type SipResponse } from '../sip/message.js';
import { responseTarget } from '../transport/response-target.js';
import type { InboundHandler, TransportLayer } from '../transport/transport-layer.js';
import { hostPort, type Source, type Target, viaTransport } from '../transport/types.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { ServerTransaction } from './server-transaction.js';
import type { TransactionTimers } from './timer-config.js';
import { TimerService } from './timer-service.js';
import type { ClientTransactionUser, TransactionContext } from './transaction-context.js';
import { clientKey, serverKey } from './transaction-key.js';
import {
  CLIENT_INVITE,
  CLIENT_NON_INVITE,
  countResponse,
  SERVER_INVITE,
  SERVER_NON_INVITE,
  type TransactionCount,
  TransactionStats,
} from './transaction-stats.js';

/** The layer above the transactions (the engine's core). */
export interface TransactionUser {
  /** A new request with its server transaction (after the stack's own checks passed). */
  onRequest(request: SipRequest, transaction: ServerTransaction, source: Source): void;
  /** An ACK that is not the transaction's own: the ACK for a 2xx (RFC 3261 §17.1.1.3). */
  onAck(ack: SipRequest, source: Source): void;
  /** A response matching no client transaction (a 2xx retransmitted after Timer M, ...). */
  onStrayResponse(response: SipResponse, source: Source): void;
}

/** Bounds on the transaction layer: how many transactions live at once, how large a request may be. */
export interface TransactionLimits {
  /** Live transactions (client + server) at most; new requests beyond get 503. */
  maxTransactions: number;
  /** Requests larger than this get 513 (RFC 3261 §21.5.14). */
  maxRequestBytes: number;
}

export const DEFAULT_TRANSACTION_LIMITS: TransactionLimits = {
  maxTransactions: 500_000,
  maxRequestBytes: 64 * 1024,
};

export interface TransactionLayerOptions {
  timers: TransactionTimers;
  limits: TransactionLimits;
  policy: RequestPolicy;
  scheduler: SchedulerLike;
  logger: Logger;
}

type Server = InviteServerTransaction | NonInviteServerTransaction;
type Client = InviteClientTransaction | NonInviteClientTransaction;

/** A started client transaction, as its sender holds it. */
export interface ClientHandle {
  readonly branch: string;
  /** INVITE: sends CANCEL once (after the first provisional response, per RFC 3261 §9.1). */
  cancel(headers?: HeaderInit): void;
}

/**
 * RFC 3261 §17: matches messages to transactions, creates server transactions for new
 * requests (after the checks of RFC 3261 §8.2 / RFC 4475 §3.3), answers CANCEL, and starts
 * client transactions with their own Via.
 */
export class TransactionLayer implements InboundHandler {
  private readonly servers = new Map<string, Server>();
  private readonly clients = new Map<string, Client>();
  private readonly ctx: TransactionContext;
  readonly timers: TimerService;
  /** Counters for metrics: responses by class, retransmissions, transactions created. */
  readonly stats = new TransactionStats();
  private readonly log: Logger;

  constructor(
    private readonly transport: TransportLayer,
    private readonly user: TransactionUser,
    private readonly options: TransactionLayerOptions,
  ) {
    this.log = options.logger;
    this.timers = new TimerService(options.scheduler, (err) =>
      this.log.error({ err }, 'unexpected error in a transaction timer'),
    );
    this.ctx = {
      config: options.timers,
      timers: this.timers,
      log: options.logger,
      stats: this.stats,
      transmit: (data, target, onError) => transport.send(data, target, onError),
      terminated: (key, side, transaction) => {
        const table: Map<string, object> = side === 'client' ? this.clients : this.servers;
        if (table.get(key) === transaction) table.delete(key);
      },
    };
    transport.setHandler(this);
  }

  /** Live transactions, by side (lingering ones in Completed/Accepted/Confirmed included). */
  get counts(): { client: number; server: number } {
    return { client: this.clients.size, server: this.servers.size };
  }

  /**
   * Live transactions by side, method and state, counted now (one pass over both tables: for a
   * scrape, not for the hot path).
   */
  census(): TransactionCount[] {
    const counts = new Map<string, TransactionCount>();
    const add = (side: TransactionCount['side'], invite: boolean, state: string) => {
      const key = `${side}|${invite}|${state}`;
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { side, method: invite ? 'INVITE' : 'non-INVITE', state, count: 1 });
    };
    for (const t of this.servers.values()) add('server', t instanceof InviteServerTransaction, t.state);
    for (const t of this.clients.values()) add('client', t instanceof InviteClientTransaction, t.state);
    return [...counts.values()];
  }

  onRequest(request: SipRequest, source: Source, size: number): void {
    const key = this.matchingKey(request, source);
    if (key === undefined) return;
    if (request.method === 'ACK') {
      const invite = this.servers.get(key);
      if (!(invite instanceof InviteServerTransaction) || invite.receiveAck())
        this.user.onAck(request, source);
      return;
    }
    const existing = this.servers.get(key);
    if (existing) {
      existing.receiveRequest();
      return;
    }
    if (this.servers.size + this.clients.size >= this.options.limits.maxTransactions) {
      this.log.warn('transaction table full: answering 503');
      this.sendStateless(
        createResponse(request, 503, { headers: { 'Retry-After': 5 } }),
        responseTarget(request.topVia, source),
      );
      return;
    }
    const target = responseTarget(request.topVia, source);
    const transaction =
      request.method === 'INVITE'
        ? new InviteServerTransaction(this.ctx, key, request, source, target)
        : new NonInviteServerTransaction(this.ctx, key, source, target, request);
    this.servers.set(key, transaction);
    this.stats.created[request.method === 'INVITE' ? SERVER_INVITE : SERVER_NON_INVITE]++;
    if (request.method === 'CANCEL') {
      this.answerCancel(request, transaction);
      return;
    }
    const rejection =
      size > this.options.limits.maxRequestBytes
        ? { status: 513 }
        : checkRequest(request, this.options.policy);
    if (rejection) {
      this.log.debug(
        { method: request.method, status: rejection.status, reason: rejection.reason },
        'request rejected by the stack',
      );
      transaction.respond(
        createResponse(request, rejection.status, { reason: rejection.reason, headers: rejection.headers }),
      );
      return;
    }
    this.user.onRequest(request, transaction, source);
  }

  // A request without the headers transactions match on (RFC 4475 insuf) cannot have one:
  // it is answered statelessly with checkRequest's verdict (an ACK is dropped).
  private matchingKey(request: SipRequest, source: Source): string | undefined {
    try {
      return serverKey(request);
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      if (request.method !== 'ACK') {
        const rejection = checkRequest(request, this.options.policy) ?? { status: 400, reason: err.reason };
        const response = createResponse(request, rejection.status, {
          reason: rejection.reason,
          headers: rejection.headers,
        });
        this.sendStateless(response, responseTarget(request.topVia, source));
      }
      return undefined;
    }
  }

  // RFC 3261 §9.2: 481 when no INVITE matches; otherwise 200, with 487 for a pending INVITE.
  private answerCancel(cancel: SipRequest, transaction: Server): void {
    const invite = this.servers.get(serverKey(cancel, 'INVITE'));
    if (!(invite instanceof InviteServerTransaction)) {
      transaction.respond(createResponse(cancel, 481));
      return;
    }
    transaction.respond(createResponse(cancel, 200, { toTag: invite.cancelToTag() }));
    invite.receiveCancel(cancel);
  }

  onResponse(response: SipResponse, source: Source): void {
    countResponse(this.stats.responsesReceived, response.status);
    let key: string;
    try {
      const branch = response.topVia.params.branch;
      if (!branch) throw new Error('no branch');
      key = clientKey(branch, response.cseq.method);
    } catch {
      this.log.debug({ source }, 'dropped a response without a usable Via branch');
      return;
    }
    const transaction = this.clients.get(key);
    if (transaction) transaction.receive(response);
    else this.user.onStrayResponse(response, source);
  }

  onMalformed(error: SipParseError, source: Source): void {
    const partial = error.partial;
    if (partial instanceof SipRequest && partial.method !== 'ACK') {
      try {
        const reason = `Bad Request (${error.reason.replace(/[\r\n]/g, ' ').slice(0, 100)})`;
        const response = createResponse(partial, 400, { reason });
        this.sendStateless(response, this.malformedTarget(partial, source));
        this.log.debug({ source, reason: error.message }, 'answered a malformed request with 400');
        return;
      } catch {
        // nothing in it to build a response from
      }
    }
    this.log.debug({ source, reason: error.message }, 'dropped a malformed message');
  }

  // Where the 400 for a malformed request goes: per its Via when that parses, else back to the source.
  private malformedTarget(partial: SipRequest, source: Source): Target {
    try {
      return responseTarget(partial.topVia, source);
    } catch {
      const target: Target = { protocol: source.protocol, address: source.address, port: source.port };
      if (source.flowId !== undefined) target.flowId = source.flowId;
      return target;
    }
  }

  /** Adds our Via (RFC 3261 §8.1.1.7, with rport per RFC 3581) and returns the branch. */
  private pushVia(request: SipRequest, target: Target): string {
    const point = this.transport.localPoint(target.protocol, target.address.includes(':'));
    const sentBy = point ? hostPort(point.advertised.host, point.advertised.port) : '0.0.0.0';
    const branch = newBranch();
    request.append('Via', `SIP/2.0/${viaTransport(target.protocol)} ${sentBy};branch=${branch};rport`, {
      first: true,
    });
    return branch;
  }

  /**
   * Starts a client transaction for `request` to `target`, adding our Via on top. The caller
   * removes that Via (`request.removeFirstValue('via')`) before retrying elsewhere.
   */
  sendRequest(request: SipRequest, target: Target, user: ClientTransactionUser): ClientHandle {
    const branch = this.pushVia(request, target);
    const key = clientKey(branch, request.method);
    if (request.method === 'INVITE') {
      const transaction = new InviteClientTransaction(this.ctx, key, branch, request, target, user);
      this.clients.set(key, transaction);
      this.stats.created[CLIENT_INVITE]++;
      transaction.start();
      return {
        branch,
        cancel: (headers) =>
          transaction.cancel((cancel) => this.startClient(cancel, branch, target, IGNORE_RESPONSES), headers),
      };
    }
    this.startClient(request, branch, target, user);
    return { branch, cancel: () => undefined };
  }

  private startClient(
    request: SipRequest,
    branch: string,
    target: Target,
    user: ClientTransactionUser,
  ): void {
    const key = clientKey(branch, request.method);
    const transaction = new NonInviteClientTransaction(this.ctx, key, branch, request, target, user);
    this.clients.set(key, transaction);
    this.stats.created[CLIENT_NON_INVITE]++;
    transaction.start();
  }

  /** Sends an ACK for a 2xx: a request without a transaction, with a fresh Via (RFC 3261 §13.2.2.4). */
  sendAck(ack: SipRequest, target: Target): void {
    this.pushVia(ack, target);
    this.transport.send(ack.toBuffer(), target, (err) => this.log.debug({ err }, 'could not send an ACK'));
  }

  /** Sends a response outside any transaction (stack rejections before one exists, proxies' 2xx). */
  sendStateless(response: SipResponse, target: Target): void {
    countResponse(this.stats.responsesSent, response.status);
    this.transport.send(response.toBuffer(), target, (err) =>
      this.log.debug({ err }, 'could not send a response'),
    );
  }

  close(): void {
    for (const t of [...this.servers.values()]) t.terminate();
    for (const t of [...this.clients.values()]) t.terminate();
    this.timers.dispose();
  }
}

const IGNORE_RESPONSES: ClientTransactionUser = { onResponse: () => undefined, onFailure: () => undefined };
