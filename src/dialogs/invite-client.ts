import { merge, Observable, Subject } from 'rxjs';
import type { OutboundEvent } from '../engine/engine.js';
import { type AuthProvider, withDigestAuth } from '../requests/digest-client.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { UserAgent } from './user-agent.js';

export interface InviteClientOptions {
  proxy?: string;
  flowId?: string;
  auth?: AuthProvider;
  /**
   * The ACK for a 2xx (RFC 3261 §13.2.2.4); called once per To tag. Returning undefined defers
   * it: `deferred` gets a function that sends it later (a late offer answered by the application).
   */
  ackFor(response: SipResponse, invite: SipRequest): SipRequest | undefined;
  deferred?(response: SipResponse, send: (ack: SipRequest) => void): void;
  /**
   * A 2xx nobody will use: it arrived after the caller cancelled (the CANCEL lost the race), or
   * from a second fork. It has been ACKed; the callee expects a BYE (RFC 3261 §13.2.2.4, §15).
   */
  onUnwanted2xx(response: SipResponse, invite: SipRequest): void;
  /** Emits to CANCEL the INVITE while still listening for its final response (a 487, usually). */
  cancel$?: Observable<HeaderInit>;
  /** The first final response, after the subscriber has seen it, and even when it has gone. */
  onFinal?(response: SipResponse): void;
}

/**
 * An INVITE (or re-INVITE) as a UAC core runs it: emits `sent` and every response up to the
 * final one. Every 2xx is ACKed, and a retransmitted 2xx (our ACK was lost) is ACKed again,
 * even after the subscriber has gone. Unsubscribing before the final response sends CANCEL,
 * optionally with `cancelHeaders()` (a Reason), and keeps listening: a 2xx that beats the
 * CANCEL is ACKed and handed to `onUnwanted2xx`.
 */
export function inviteClient(
  ua: UserAgent,
  invite: SipRequest,
  options: InviteClientOptions,
  cancelHeaders?: () => HeaderInit | undefined,
): Observable<OutboundEvent> {
  return new Observable<OutboundEvent>((subscriber) => {
    const cancel = new Subject<HeaderInit>();
    const acks = new Map<string, SipRequest | undefined>();
    let sent = invite;
    let finalSeen = false;
    let kept: string | undefined;
    const sendOptions = {
      proxy: options.proxy,
      flowId: options.flowId,
      cancel$: options.cancel$ ? merge(cancel, options.cancel$) : cancel,
    };
    withDigestAuth(invite, (r) => ua.engine.send(r, sendOptions), options.auth).subscribe({
      next: (event) => {
        if (event.kind === 'sent') sent = event.request;
        if (
          event.kind === 'response' &&
          event.response.status >= 200 &&
          event.response.status < 300 &&
          !event.failure
        ) {
          const response = event.response;
          const tag = response.toTag ?? '';
          if (acks.has(tag)) {
            // A retransmitted 2xx: our ACK was lost (or is not sent yet, for a deferred one).
            const known = acks.get(tag);
            if (known) ua.engine.sendAck(known.clone(), { flowId: options.flowId });
            return;
          }
          const ack = options.ackFor(response, sent);
          acks.set(tag, ack);
          if (ack) ua.engine.sendAck(ack.clone(), { flowId: options.flowId });
          else
            options.deferred?.(response, (later) => {
              acks.set(tag, later);
              ua.engine.sendAck(later.clone(), { flowId: options.flowId });
            });
          if (subscriber.closed || (kept !== undefined && kept !== tag)) {
            options.onUnwanted2xx(response, sent);
            if (!finalSeen) {
              finalSeen = true;
              options.onFinal?.(response);
            }
            return;
          }
          kept = tag;
        }
        const final = event.kind === 'response' && event.response.status >= 200 && !finalSeen;
        if (!subscriber.closed && !finalSeen) subscriber.next(event);
        if (final && event.kind === 'response') {
          finalSeen = true;
          options.onFinal?.(event.response);
          subscriber.complete();
        }
      },
      error: (err) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    return () => {
      if (!finalSeen) cancel.next(cancelHeaders?.() ?? {});
    };
  });
}
