import type { Logger } from 'pino';
import { type SchedulerLike, Subject, type Subscription } from 'rxjs';
import type { Connection } from './connection.js';
import type { Protocol } from './types.js';

function remoteKey(protocol: Protocol, address: string, port: number): string {
  return `${protocol}|${address}|${port}`;
}

/**
 * Open connections, indexed by flow and by peer address, so that responses and later requests
 * reuse the connection a peer opened. Bounded in number; idle connections are closed.
 */
export class ConnectionTable {
  private readonly byFlow = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly closedFlows = new Subject<string>();
  private sweeper: Subscription | undefined;

  /** Flow ids of connections as they close. */
  readonly flowClosed$ = this.closedFlows.asObservable();

  constructor(
    private readonly limits: { maxConnections: number; idleTimeoutMs: number },
    private readonly scheduler: SchedulerLike,
    private readonly log: Logger,
  ) {
    if (limits.idleTimeoutMs > 0) {
      const period = Math.max(1000, Math.floor(limits.idleTimeoutMs / 4));
      this.sweeper = scheduler.schedule(
        function sweep(this: { schedule(state?: unknown, delay?: number): void }, table?: ConnectionTable) {
          table?.closeIdle();
          this.schedule(table, period);
        },
        period,
        this,
      );
    }
  }

  get size(): number {
    return this.byFlow.size;
  }

  /** False when the table is full; the caller must refuse the connection. */
  hasRoom(): boolean {
    return this.byFlow.size < this.limits.maxConnections;
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

  private closeIdle(): void {
    const cutoff = this.scheduler.now() - this.limits.idleTimeoutMs;
    for (const connection of this.byFlow.values()) {
      if (connection.lastActivity < cutoff) {
        this.log.debug({ flow: connection.flowId }, 'closing idle connection');
        connection.close();
      }
    }
  }

  closeAll(): void {
    this.sweeper?.unsubscribe();
    for (const connection of [...this.byFlow.values()]) connection.close();
    this.closedFlows.complete();
  }
}
