import type { WireConnection } from '../engine/drachtio/wire-connection.js';

/** An app connected to the server: what it routes, and what it has in progress. */
export class AppConnection {
  /** True once it sent the right secret. */
  authenticated = false;
  /** The tags it authenticated with. */
  tags: string[] = [];
  /** Verbs it routes (lower case: `invite`, `cdr:stop`). An outbound connection takes every method. */
  readonly routes = new Set<string>();
  /** Its incoming and outgoing transactions in progress, by transaction id. */
  readonly transactions = new Set<string>();
  /** Dialogs it owns, by dialog id. */
  readonly dialogs = new Set<string>();

  /**
   * @param wire - the connection
   * @param outbound - the server dialled it (an app that listens) rather than the app connecting
   */
  constructor(
    readonly wire: WireConnection,
    readonly outbound: boolean,
  ) {}

  /** Whether new requests of this method go to it. */
  takes(method: string): boolean {
    return (
      this.authenticated && !this.wire.closed && (this.outbound || this.routes.has(method.toLowerCase()))
    );
  }

  /** What it has in progress, against maxPendingRequests. */
  get load(): number {
    return this.transactions.size + this.wire.pendingCount;
  }
}

/** The apps connected, and which one takes a new request: round robin among those routing its method. */
export class AppRegistry {
  private readonly apps = new Set<AppConnection>();
  private turn = 0;

  add(app: AppConnection): void {
    this.apps.add(app);
  }

  remove(app: AppConnection): void {
    this.apps.delete(app);
  }

  get size(): number {
    return this.apps.size;
  }

  all(): AppConnection[] {
    return [...this.apps];
  }

  /** The app for a new request: among the connected apps routing its method, the next in turn. */
  pick(method: string): AppConnection | undefined {
    const candidates = [...this.apps].filter((a) => !a.outbound && a.takes(method));
    if (candidates.length === 0) return undefined;
    this.turn = (this.turn + 1) % candidates.length;
    return candidates[this.turn];
  }

  /** The apps that routed a CDR type (`cdr:attempt`, `cdr:start`, `cdr:stop`). */
  routing(verb: string): AppConnection[] {
    return [...this.apps].filter((a) => a.authenticated && !a.wire.closed && a.routes.has(verb));
  }
}
