import { Observable, Subject, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import type { OutboundEvent, SendOptions } from '../engine/engine.js';
import { type AuthProvider, withDigestAuth } from '../requests/digest-client.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { AcceptedInvite } from './accepted-invite.js';
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
   * A first 2xx nobody will use: it arrived after the caller cancelled (the CANCEL lost the
   * race). It has been ACKed; the callee expects a BYE (RFC 3261 §13.2.2.4, §15). A later
   * fork's 2xx is ACKed and ended by the UAC core itself (`AcceptedInvite`).
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
  return new Observable<OutboundEvent>((subscriber) =>
    runInviteClient(subscriber, ua, invite, options, cancelHeaders),
  );
}

// One subscription of `inviteClient`, in a function of its own so that what the engine keeps
// after the first 2xx (RFC 6026 Accepted, 32 s) is `accepted.later2xx` alone: the engine's events
// complete at that 2xx, and this scope, which reaches the whole call, goes with them.
function runInviteClient(
  subscriber: Subscriber<OutboundEvent>,
  ua: UserAgent,
  invite: SipRequest,
  opts: InviteClientOptions,
  cancelHeaders: (() => HeaderInit | undefined) | undefined,
): TeardownLogic {
  const cancel = new Subject<HeaderInit>();
  const accepted = new AcceptedInvite(ua.engine, opts.flowId);
  let sent = invite;
  let finalSeen = false;
  // The caller's CANCEL goes through `cancel` too: one Subject for the engine, not a merge of two.
  // Subscribed once the engine listens to `cancel` (below), so a source that emits at once is heard.
  let forwarded: Subscription | undefined;
  const stopForwarding = () => {
    forwarded?.unsubscribe();
    forwarded = undefined;
  };
  const settle = (response: SipResponse) => {
    finalSeen = true;
    stopForwarding();
    opts.onFinal?.(response);
  };
  const sendOptions: SendOptions = {
    proxy: opts.proxy,
    flowId: opts.flowId,
    cancel$: cancel,
    later2xx: accepted.later2xx,
  };
  withDigestAuth(invite, (r) => ua.engine.send(r, sendOptions), opts.auth).subscribe({
    next: (event) => {
      if (finalSeen) {
        // An engine that keeps emitting after the first 2xx (it ignores `later2xx`): the same.
        if (event.kind === 'response' && event.response.status >= 200 && event.response.status < 300)
          accepted.later2xx(event.response);
        return;
      }
      if (event.kind === 'sent') {
        sent = event.request;
        if (!subscriber.closed) subscriber.next(event);
        return;
      }
      const response = event.response;
      if (response.status >= 200 && response.status < 300 && !event.failure) {
        accepted.keep(sent);
        const tag = AcceptedInvite.tagOf(response);
        const ack = opts.ackFor(response, sent);
        if (ack) accepted.sendAck(tag, ack);
        else {
          // Marked deferred even with nobody to send it: a retransmission is then no new fork.
          const send = accepted.defer(tag);
          opts.deferred?.(response, send);
        }
        if (subscriber.closed) {
          // RFC 3261 §13.2.2.4: a 2xx that beat our CANCEL is ended.
          opts.onUnwanted2xx(response, sent);
          settle(response);
          return;
        }
      }
      if (!subscriber.closed) subscriber.next(event);
      if (response.status >= 200) {
        settle(response);
        subscriber.complete();
      }
    },
    error: (err) => {
      stopForwarding();
      subscriber.error(err);
    },
    complete: () => {
      stopForwarding();
      subscriber.complete();
    },
  });
  if (!finalSeen && !subscriber.closed)
    forwarded = opts.cancel$?.subscribe((headers) => cancel.next(headers));
  return () => {
    if (!finalSeen) cancel.next(cancelHeaders?.() ?? {});
  };
}
