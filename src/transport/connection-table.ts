import type { Logger } from 'pino';
import { type SchedulerLike, Subject, type Subscription } from 'rxjs';
import { type Admission, type AdmissionLimits, Admissions } from './admissions.js';
import type { Connection } from './connection.js';
import type { Protocol } from './types.js';

function remoteKey(protocol: Protocol, address: string, port: number): string {
  return `${protocol}|${address}|${port}`;
}

export interface ConnectionLimits extends AdmissionLimits {
  /** Open connections at most, handshakes included; new ones beyond are refused. */
  maxConnections: number;
  /** Connections without traffic for this long are closed (ms; 0 keeps them). */
  idleTimeoutMs: number;
}

// The sweep runs at a quarter of the shortest deadline, so a deadline is enforced within 25%.
const MIN_SWEEP_MS = 50;

function sweepPeriod(limits: ConnectionLimits): number | undefined {
  const deadlines = [limits.idleTimeoutMs, limits.messageTimeoutMs].filter((ms) => ms > 0);
  if (deadlines.length === 0) return undefined;
  return Math.max(MIN_SWEEP_MS, Math.floor(Math.min(...deadlines) / 4));
}

/**
 * Open connections, indexed by flow and by peer address, so that responses and later requests
 * reuse the connection a peer opened. Bounded in number, and per source address for sockets that
 * have not yet sent a complete message; idle connections are closed, and so are those whose
 * message does not arrive whole within the message deadline.
 */
export class ConnectionTable {
  private readonly byFlow = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly closedFlows = new Subject<string>();
  private readonly admissions: Admissions;
  private sweeper: Subscription | undefined;

  /** Flow ids of connections as they close. */
  readonly flowClosed$ = this.closedFlows.asObservable();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly scheduler: SchedulerLike,
    private readonly log: Logger,
  ) {
    this.admissions = new Admissions(limits, () => scheduler.now(), log);
    const period = sweepPeriod(limits);
    if (period !== undefined) {
      this.sweeper = scheduler.schedule(
        function sweep(this: { schedule(state?: unknown, delay?: number): void }, table?: ConnectionTable) {
          table?.sweep();
          this.schedule(table, period);
        },
        period,
        this,
      );
    }
  }

  /** Open connections (handshakes not included). */
  get size(): number {
    return this.byFlow.size;
  }

  /** Open connections by transport, counted now (a pass over the table: for a scrape). */
  countByProtocol(): Partial<Record<Protocol, number>> {
    const counts: Partial<Record<Protocol, number>> = {};
    for (const connection of this.byFlow.values())
      counts[connection.protocol] = (counts[connection.protocol] ?? 0) + 1;
    return counts;
  }

  /** False when the table is full; the caller must refuse the connection. */
  hasRoom(): boolean {
    return this.byFlow.size + this.admissions.handshaking < this.limits.maxConnections;
  }

  /**
   * Admits an inbound socket from `address`, or refuses it (logged) when the table is full or
   * the address has too many sockets without a complete message. `close` destroys the socket.
   */
  admit(address: string, close: () => void): Admission | undefined {
    if (!this.hasRoom()) {
      this.admissions.refuse(address, 'connection limit reached');
      return undefined;
    }
    return this.admissions.admit(address, close);
  }

  /** Sockets from `address` that have not yet sent a complete SIP message. */
  pending(address: string): number {
    return this.admissions.pending(address);
  }

  add(connection: Connection): void {
    this.byFlow.set(connection.flowId, connection);
    this.byRemote.set(
      remoteKey(connection.protocol, connection.remote.address, connection.remote.port),
      connection,
    );
  }

  /** Called by a connection when its socket closes. */
  remove(connection: Connection): void {
    if (this.byFlow.get(connection.flowId) !== connection) return;
    this.byFlow.delete(connection.flowId);
    const key = remoteKey(connection.protocol, connection.remote.address, connection.remote.port);
    if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
    this.closedFlows.next(connection.flowId);
  }

  flow(flowId: string): Connection | undefined {
    return this.byFlow.get(flowId);
  }

  toRemote(protocol: Protocol, address: string, port: number): Connection | undefined {
    return this.byRemote.get(remoteKey(protocol, address, port));
  }

  private sweep(): void {
    const now = this.scheduler.now();
    const { idleTimeoutMs, messageTimeoutMs } = this.limits;
    for (const connection of [...this.byFlow.values()]) {
      const started = connection.messageStartedAt;
      if (messageTimeoutMs > 0 && started !== undefined && now - started >= messageTimeoutMs) {
        this.log.info(
          { flow: connection.flowId, remote: connection.remote, timeoutMs: messageTimeoutMs },
          'closing connection: a message did not arrive whole in time',
        );
        connection.close();
      } else if (idleTimeoutMs > 0 && connection.lastActivity < now - idleTimeoutMs) {
        this.log.debug({ flow: connection.flowId }, 'closing idle connection');
        connection.close();
      }
    }
    this.admissions.closeLate();
  }

  closeAll(): void {
    this.sweeper?.unsubscribe();
    for (const connection of [...this.byFlow.values()]) connection.close();
    this.admissions.closeAll();
    this.closedFlows.complete();
  }
}
