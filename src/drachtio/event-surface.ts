import { EventEmitter } from 'node:events';
import type { Observable, Subscription } from 'rxjs';

/** Event names and the arguments each one's listeners get. */
export type EventMap = Record<string, unknown[]>;

/** For each event backed by an observable: the observable of its listeners' arguments. */
export type EventSources<E extends EventMap> = { [K in keyof E]?: () => Observable<E[K]> };

/**
 * drachtio-srf's EventEmitter surface over rxsip's observables. An event backed by an
 * observable subscribes to it when its first listener is added and unsubscribes when its last
 * one is removed, so an in-dialog request nobody listens for keeps the dialog's default answer
 * (drachtio-srf's rule: "when no handler is found for this event a 200 OK will be automatically
 * generated"), and a listener added later takes over from then on.
 */
export class EventSurface<E extends EventMap> {
  private readonly emitter = new EventEmitter();
  private readonly live = new Map<keyof E, Subscription>();

  /**
   * @param sources - the observable behind each event that has one
   * @param onError - where a source's error, or a listener's exception (with its event and
   *   arguments), goes
   */
  constructor(
    private readonly sources: EventSources<E>,
    private readonly onError: (err: unknown, event?: keyof E, args?: unknown[]) => void,
  ) {}

  /** Adds a listener, subscribing the event's source if it is the first. */
  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void, once = false): void {
    const handler = listener as (...args: unknown[]) => void;
    if (once) this.emitter.once(event, handler);
    else this.emitter.on(event, handler);
    this.connect(event);
  }

  /** Removes a listener, unsubscribing the event's source when it was the last. */
  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): void {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    this.release(event);
  }

  /** Removes every listener of one event, or of all. */
  removeAll(event?: keyof E & string): void {
    if (event === undefined) this.emitter.removeAllListeners();
    else this.emitter.removeAllListeners(event);
    for (const name of [...this.live.keys()]) this.release(name);
  }

  /** Calls the event's listeners; true if it had any. */
  emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const had = this.emitter.emit(event, ...args);
    this.release(event);
    return had;
  }

  /** How many listeners the event has. */
  count(event: keyof E & string): number {
    return this.emitter.listenerCount(event);
  }

  /** Ends every subscription (the object the events belong to is gone). */
  close(): void {
    for (const subscription of this.live.values()) subscription.unsubscribe();
    this.live.clear();
  }

  private connect<K extends keyof E & string>(event: K): void {
    const source = this.sources[event];
    if (!source || this.live.has(event)) return;
    const subscription = source().subscribe({
      next: (args) => {
        // A listener that throws is the application's failure, not the stream's: reported, and
        // the event keeps flowing (an exception thrown into RxJS would end up uncaught).
        try {
          this.emitter.emit(event, ...args);
        } catch (err) {
          this.onError(err, event, args);
        }
        this.release(event);
      },
      error: (err: unknown) => {
        this.live.delete(event);
        this.onError(err);
      },
    });
    // A source that emitted at once may have run a `once` listener, the only one.
    if (subscription.closed) return;
    if (this.emitter.listenerCount(event) === 0) subscription.unsubscribe();
    else this.live.set(event, subscription);
  }

  /** A `once` listener that ran, or one removed: without listeners the source is let go. */
  private release(event: keyof E): void {
    if (this.emitter.listenerCount(event as string) > 0) return;
    this.live.get(event)?.unsubscribe();
    this.live.delete(event);
  }
}
