import { Observable, type Subscriber } from 'rxjs';
import type { RequestEvent } from '../requests/srf-request.js';
import type { SipRequest } from '../sip/message.js';

/**
 * The kinds of in-dialog request the application answers itself when it subscribes to them
 * (`Dialog.requests$`, or each kind's own stream such as `info$`).
 */
export type InDialogRequestKind =
  | 'reinvite'
  | 'info'
  | 'notify'
  | 'refer'
  | 'message'
  | 'options'
  | 'update'
  | 'subscribe';

/** In-dialog happenings the dialog answers on its own and reports. */
export type NoticeName = 'hold' | 'unhold' | 'refresh' | 'ack';

/**
 * The subscribers of each kind. Copied on write into arrays of their exact size: subscribing is
 * rare and a dialog has few subscribers, while an idle dialog's memory counts (a Map, or an array
 * grown by push, takes some 150 bytes for one entry). A subscriber is not handed a teardown:
 * RxJS would keep it in a push-grown array of its own, 150 bytes more for each of a dialog's
 * subscriptions. One that unsubscribes is closed, so it is skipped, and dropped at the next
 * subscription or request.
 */
export class Listeners<K, T> {
  private names: readonly K[] = [];
  private subscribers: readonly Subscriber<T>[] = [];

  /**
   * @param names - the kinds it takes
   * @param subscriber - who takes them
   */
  add(names: readonly K[], subscriber: Subscriber<T>): void {
    this.prune();
    // concat and map allocate the exact size; a spread grows like push.
    this.names = this.names.concat(names);
    this.subscribers = this.subscribers.concat(names.map(() => subscriber));
  }

  private prune(): void {
    if (!this.subscribers.some((s) => s.closed)) return;
    const open = this.subscribers.map((s) => !s.closed);
    // filter grows its result like push: slice copies it to its exact size.
    this.names = this.names.filter((_, i) => open[i]).slice();
    this.subscribers = this.subscribers.filter((_, i) => open[i]).slice();
  }

  /** Whether an open subscriber takes this kind. */
  any(name: K): boolean {
    for (let i = 0; i < this.names.length; i++)
      if (this.names[i] === name && !this.subscribers[i]?.closed) return true;
    return false;
  }

  /** Gives `value` to every open subscriber of the kind. */
  next(name: K, value: T): void {
    this.prune();
    // The arrays are replaced, never changed: one (un)subscribing meanwhile cannot skip another.
    const names = this.names;
    const subscribers = this.subscribers;
    for (let i = 0; i < names.length; i++) if (names[i] === name) subscribers[i]?.next(value);
  }

  /** Completes every subscriber, once each (one may take several kinds). */
  complete(): void {
    const all = new Set(this.subscribers);
    this.names = [];
    this.subscribers = [];
    for (const subscriber of all) subscriber.complete();
  }
}

/**
 * A dialog's incoming streams: requests as `{req, res}` for the application to answer, and
 * notices of what the dialog answered itself. All complete when the dialog ends; one subscribed
 * afterwards completes at once. No Subject per stream: a dialog keeps only the subscribers it
 * has, and one subscriber may take several kinds (a B2BUA relaying every method of a leg).
 */
export class IncomingStreams {
  private requests: Listeners<InDialogRequestKind, RequestEvent> | undefined;
  private notices: Listeners<NoticeName, SipRequest> | undefined;
  private ended = false;

  private listen<K, T>(listeners: Listeners<K, T>, names: readonly K[]): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.ended) subscriber.complete();
      else listeners.add(names, subscriber);
    });
  }

  /**
   * The requests of one or more kinds, for the application to answer.
   *
   * @param names - the kinds
   * @returns one stream of them all, in arrival order
   */
  requests$(...names: InDialogRequestKind[]): Observable<RequestEvent> {
    if (names.length === 0) throw new TypeError('requests$: name at least one kind of request');
    this.requests ??= new Listeners();
    // A kind named twice is taken once.
    return this.listen(
      this.requests,
      names.filter((name, i) => names.indexOf(name) === i),
    );
  }

  /**
   * The notices of one kind.
   *
   * @param name - the kind
   * @returns its stream
   */
  notices$(name: NoticeName): Observable<SipRequest> {
    this.notices ??= new Listeners();
    return this.listen(this.notices, [name]);
  }

  /** Whether the application listens for requests of this kind (and so answers them). */
  observed(name: InDialogRequestKind): boolean {
    return this.requests?.any(name) ?? false;
  }

  /** Gives a request to its stream's subscribers, or to `otherwise` when there are none. */
  offer(name: InDialogRequestKind, event: RequestEvent, otherwise: () => void): void {
    if (this.requests?.any(name)) this.requests.next(name, event);
    else otherwise();
  }

  /** Reports a notice to its subscribers, if any. */
  notify(name: NoticeName, req: SipRequest): void {
    this.notices?.next(name, req);
  }

  /** The dialog has ended: every stream completes. */
  complete(): void {
    if (this.ended) return;
    this.ended = true;
    this.requests?.complete();
    this.notices?.complete();
  }
}
