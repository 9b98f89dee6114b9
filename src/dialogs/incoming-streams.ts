import { type Observable, Subject } from 'rxjs';
import type { RequestEvent } from '../requests/srf-request.js';
import type { SipRequest } from '../sip/message.js';

/** In-dialog requests the application answers itself when it subscribes. */
export type RequestStreamName =
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
 * A dialog's incoming streams, each made only when first asked for: requests as `{req, res}`
 * for the application to answer, and notices of what the dialog answered itself. All complete
 * when the dialog ends; one asked for afterwards is already complete.
 */
export class IncomingStreams {
  private requests: Map<RequestStreamName, Subject<RequestEvent>> | undefined;
  private notices: Map<NoticeName, Subject<SipRequest>> | undefined;
  private ended = false;

  private subject<K, T>(map: Map<K, Subject<T>>, name: K): Subject<T> {
    let subject = map.get(name);
    if (!subject) {
      subject = new Subject<T>();
      if (this.ended) subject.complete();
      map.set(name, subject);
    }
    return subject;
  }

  /** The requests of one kind, for the application to answer. */
  requests$(name: RequestStreamName): Observable<RequestEvent> {
    this.requests ??= new Map();
    return this.subject(this.requests, name).asObservable();
  }

  /** The notices of one kind. */
  notices$(name: NoticeName): Observable<SipRequest> {
    this.notices ??= new Map();
    return this.subject(this.notices, name).asObservable();
  }

  /** Whether the application listens for requests of this kind (and so answers them). */
  observed(name: RequestStreamName): boolean {
    return this.requests?.get(name)?.observed ?? false;
  }

  /** Gives a request to its stream's subscribers, or to `otherwise` when there are none. */
  offer(name: RequestStreamName, event: RequestEvent, otherwise: () => void): void {
    const subject = this.requests?.get(name);
    if (subject?.observed) subject.next(event);
    else otherwise();
  }

  /** Reports a notice to its subscribers, if any. */
  notify(name: NoticeName, req: SipRequest): void {
    const subject = this.notices?.get(name);
    if (subject?.observed) subject.next(req);
  }

  /** The dialog has ended: every stream completes. */
  complete(): void {
    this.ended = true;
    for (const subject of this.requests?.values() ?? []) subject.complete();
    for (const subject of this.notices?.values() ?? []) subject.complete();
  }
}
