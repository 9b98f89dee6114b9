import type { SchedulerLike, Subscription } from 'rxjs';
import type { DrachtioConnectionEvent } from './connection-event.js';
import type { DrachtioReconnect } from './drachtio-options.js';
import { DrachtioAuthError, type ServerLink } from './server-link.js';

/** What a reconnector does its work with. */
export interface ReconnectorHooks {
  /** Dials the server and authenticates; the same options every time (TLS too). */
  dial(): Promise<ServerLink>;
  event(event: DrachtioConnectionEvent): void;
  /** It will dial no more. */
  stopped(): void;
}

/**
 * Keeps one server connected (`srf.connect`): once a connection is lost it is dialled again after
 * `initialDelay`, then after a delay growing by `factor` up to `maxDelay`, up to `maxAttempts`
 * times; a refused secret stops it. Timers run on the scheduler.
 */
export class Reconnector {
  private attempts = 0;
  private timer: Subscription | undefined;
  private done = false;

  constructor(
    private readonly server: string,
    private readonly options: DrachtioReconnect,
    private readonly scheduler: SchedulerLike,
    private readonly hooks: ReconnectorHooks,
  ) {}

  /** The first connection: resolves once authenticated, rejects (and stops) when it fails. */
  start(): Promise<void> {
    return this.hooks.dial().then(
      (link) => this.watch(link),
      (err: unknown) => {
        this.stop();
        throw err;
      },
    );
  }

  /** Dials no more (the engine is closing). */
  stop(): void {
    if (this.done) return;
    this.done = true;
    this.timer?.unsubscribe();
    this.hooks.stopped();
  }

  private watch(link: ServerLink): void {
    this.attempts = 0;
    void link.gone.then(() => this.retry());
  }

  private retry(): void {
    if (this.done) return;
    this.attempts += 1;
    const { initialDelay = 150, factor = 1.7, maxDelay = 30_000, maxAttempts } = this.options;
    if (maxAttempts !== undefined && this.attempts > maxAttempts) {
      this.hooks.event({
        type: 'error',
        server: this.server,
        error: new Error(
          `drachtio-server ${this.server}: gave up after ${maxAttempts} reconnection attempts`,
        ),
      });
      this.stop();
      return;
    }
    const delay = Math.min(Math.round(initialDelay * factor ** (this.attempts - 1)), maxDelay);
    this.hooks.event({ type: 'reconnecting', server: this.server, attempt: this.attempts, delay });
    this.timer = this.scheduler.schedule(() => {
      if (this.done) return;
      this.hooks.dial().then(
        (link) => this.watch(link),
        (err: unknown) => {
          if (err instanceof DrachtioAuthError) this.stop();
          else this.retry();
        },
      );
    }, delay);
  }
}
