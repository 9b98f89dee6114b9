import { Observable, Subject, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import type { OutboundEvent, SendOptions } from '../engine/engine.js';
import { type AuthProvider, withDigestAuth } from '../requests/digest-client.js';
import { ackFor2xx } from '../sip/ack-for-2xx.js';
import { inDialogRequest, uacDialogRoute } from '../sip/dialog-route.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { ownString } from '../sip/own-string.js';
import { parseMessage } from '../sip/parser.js';
import { messageSummary, summaryMessage } from './cdr.js';
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
  return new Observable<OutboundEvent>((subscriber) =>
    runInviteClient(subscriber, ua, invite, options, cancelHeaders),
  );
}

// An ACK kept for re-sending: its bytes as latin1 text, one byte a character, so a body that is
// not UTF-8 comes back unchanged.
function ackText(ack: SipRequest): string {
  return ack.toBuffer().toString('latin1');
}

// One subscription of `inviteClient`, in a function of its own so that its callbacks, which the
// transaction keeps for 32 s after a 2xx (RFC 6026 Timer M), close over nothing but what is
// cleared below: `given` and `givenCancelHeaders` are read here and never by a callback.
function runInviteClient(
  subscriber: Subscriber<OutboundEvent>,
  ua: UserAgent,
  invite: SipRequest,
  given: InviteClientOptions,
  givenCancelHeaders: (() => HeaderInit | undefined) | undefined,
): TeardownLogic {
  // Held only until the final response: a completed subscriber still reaches, through its
  // operators' closures, everything downstream (the whole call), and the transaction lingers.
  let sink: Subscriber<OutboundEvent> | undefined = subscriber;
  let cancelHeaders = givenCancelHeaders;
  // Both only until the final response: the transaction's callbacks reach this scope for 32 s.
  let cancel: Subject<HeaderInit> | undefined = new Subject<HeaderInit>();
  // The ACK sent for each 2xx by To tag (undefined while a deferred one is not yet sent), as its
  // text: a retransmitted 2xx, rare, parses it again, while a SipRequest's fields would linger
  // 32 s with the transaction.
  const acks = new Map<string, string | undefined>();
  const flowId = given.flowId;
  // The call's state (the options' closures, the INVITE and its parse state) is held only until
  // the final response. The transaction lingers 32 s after a 2xx (RFC 6026 Timer M) to pass on
  // retransmitted 2xx; for those, re-ACKing and a late fork's ACK and BYE need only the ACKs
  // sent and the INVITE's identifying headers.
  let opts: InviteClientOptions | undefined = given;
  let sent: SipRequest | undefined = invite;
  let sentSummary = '';
  const sentNow = () => sent ?? (summaryMessage(sentSummary) as SipRequest);
  let finalSeen = false;
  let kept: string | undefined;
  // The caller's CANCEL goes through `cancel` too: one Subject for the engine, not a merge of two.
  // Subscribed once the engine listens to `cancel` (below), so a source that emits at once is heard.
  let forwarded: Subscription | undefined;
  const stopForwarding = () => {
    forwarded?.unsubscribe();
    forwarded = undefined;
  };
  let sendOptions: SendOptions | undefined = { proxy: given.proxy, flowId, cancel$: cancel };
  const letGo = () => {
    stopForwarding();
    opts = undefined;
    sink = undefined;
    cancelHeaders = undefined;
    cancel = undefined;
    sendOptions = undefined;
    if (sent) sentSummary = messageSummary(sent);
    sent = undefined;
  };
  // Kept as text before it is sent (the engine adds its Via to the one it sends).
  const sendAck = (tag: string, ack: SipRequest) => {
    acks.set(tag, ackText(ack));
    ua.engine.sendAck(ack, { flowId });
  };
  withDigestAuth(invite, (r) => ua.engine.send(r, sendOptions), given.auth).subscribe({
    next: (event) => {
      if (event.kind === 'sent' && !finalSeen) sent = event.request;
      if (
        event.kind === 'response' &&
        event.response.status >= 200 &&
        event.response.status < 300 &&
        !event.failure
      ) {
        const response = event.response;
        // A copy: a slice would keep B's whole 2xx text for the 32 s the transaction lingers.
        const tag = ownString(response.toTag ?? '');
        if (acks.has(tag)) {
          // A retransmitted 2xx: our ACK was lost (or is not sent yet, for a deferred one).
          const known = acks.get(tag);
          if (known) ua.engine.sendAck(parseMessage(Buffer.from(known, 'latin1')) as SipRequest, { flowId });
          return;
        }
        const ack = opts ? opts.ackFor(response, sentNow()) : ackFor2xx(sentNow(), response);
        if (ack) sendAck(tag, ack);
        else {
          acks.set(tag, undefined);
          opts?.deferred?.(response, (later) => sendAck(tag, later));
        }
        if (!sink || sink.closed || (kept !== undefined && kept !== tag)) {
          // RFC 3261 §13.2.2.4: a 2xx nobody takes (a later fork, or one that beat our CANCEL) is ended.
          if (opts) opts.onUnwanted2xx(response, sentNow());
          else byeUnwanted(ua, response, sentNow());
          if (!finalSeen) {
            finalSeen = true;
            stopForwarding();
            opts?.onFinal?.(response);
          }
          return;
        }
        kept = tag;
      }
      const final = event.kind === 'response' && event.response.status >= 200 && !finalSeen;
      if (sink && !sink.closed && !finalSeen) sink.next(event);
      if (final && event.kind === 'response') {
        finalSeen = true;
        opts?.onFinal?.(event.response);
        sink?.complete();
        letGo();
      }
    },
    error: (err) => {
      stopForwarding();
      sink?.error(err);
    },
    complete: () => {
      stopForwarding();
      sink?.complete();
    },
  });
  if (!finalSeen && sink && !sink.closed)
    forwarded = given.cancel$?.subscribe((headers) => cancel?.next(headers));
  return () => {
    if (!finalSeen) cancel?.next(cancelHeaders?.() ?? {});
  };
}

/**
 * RFC 3261 §13.2.2.4, §15: a 2xx the UAC will not use (a second fork answering, or an answer
 * that beat the CANCEL) has been ACKed; the dialog it made is ended with a BYE.
 *
 * @param ua - the user agent
 * @param response - the unwanted 2xx
 * @param sent - the INVITE it answers
 */
export function byeUnwanted(ua: UserAgent, response: SipResponse, sent: SipRequest): void {
  const bye = inDialogRequest(uacDialogRoute(sent, response), 'BYE', sent.cseq.seq + 1);
  ua.engine.send(bye).subscribe();
}
