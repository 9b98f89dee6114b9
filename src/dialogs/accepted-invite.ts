import type { Engine } from '../engine/engine.js';
import { ackFor2xx } from '../sip/ack-for-2xx.js';
import { inDialogRequest, uacDialogRoute } from '../sip/dialog-route.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { ownString } from '../sip/own-string.js';
import { parseMessage } from '../sip/parser.js';
import { messageSummary, summaryMessage } from './cdr.js';

/**
 * What a UAC keeps of an INVITE once it has been answered, for the 32 s the client transaction
 * waits in RFC 6026's Accepted state (Timer M): the ACK sent for each To tag, to send again when
 * its 2xx is retransmitted (RFC 3261 §13.2.2.4), and the INVITE's identifying headers, to ACK and
 * end a later fork's answer. Nothing of the call: the engine keeps only {@link later2xx}, so the
 * call's state goes at the first 2xx instead of being promoted and collected late.
 */
export class AcceptedInvite {
  // The ACK sent for each 2xx by To tag (undefined while a deferred one is not yet sent), as
  // latin1 text, one byte a character, so a body that is not UTF-8 comes back unchanged. A
  // retransmitted 2xx, rare, parses it again; a SipRequest's fields would linger 32 s. The
  // first tag in fields, other forks' in a Map made only for them: an empty Map's table alone
  // is about 300 bytes, kept 32 s per call.
  private firstTag: string | undefined;
  private firstAck: string | undefined;
  private forks: Map<string, string | undefined> | undefined;
  private summary = '';

  constructor(
    private readonly engine: Engine,
    private readonly flowId: string | undefined,
  ) {}

  /**
   * The To tag of a 2xx, as a string of its own: a slice would keep the whole 2xx for 32 s.
   *
   * @param response - a 2xx to the INVITE
   * @returns its To tag, or '' without one
   */
  static tagOf(response: SipResponse): string {
    return ownString(response.toTag ?? '');
  }

  /**
   * Keeps the INVITE as sent (its identifying headers only) for a later fork's ACK and BYE.
   *
   * @param invite - the INVITE as it left, with its Via
   */
  keep(invite: SipRequest): void {
    this.summary = messageSummary(invite);
  }

  /**
   * Whether a 2xx with this To tag has been answered (its ACK sent, or deferred).
   *
   * @param tag - from {@link AcceptedInvite.tagOf}
   * @returns true when the tag is known
   */
  private has(tag: string): boolean {
    return tag === this.firstTag || (this.forks?.has(tag) ?? false);
  }

  private set(tag: string, ack: string | undefined): void {
    if (this.firstTag === undefined || tag === this.firstTag) {
      this.firstTag = tag;
      this.firstAck = ack;
      return;
    }
    this.forks ??= new Map();
    this.forks.set(tag, ack);
  }

  /**
   * Sends the ACK for the 2xx with this To tag, and keeps it to send again.
   *
   * @param tag - from {@link AcceptedInvite.tagOf}
   * @param ack - the ACK, without our Via (the engine adds it each time it is sent)
   */
  sendAck(tag: string, ack: SipRequest): void {
    this.set(tag, ack.toBuffer().toString('latin1'));
    this.engine.sendAck(ack, { flowId: this.flowId });
  }

  /**
   * Marks a tag's ACK as deferred (a late offer the application answers).
   *
   * @param tag - from {@link AcceptedInvite.tagOf}
   * @returns what sends it when the application has the answer
   */
  defer(tag: string): (ack: SipRequest) => void {
    this.set(tag, undefined);
    return (ack) => this.sendAck(tag, ack);
  }

  /**
   * A 2xx whose tag is known again (RFC 3261 §13.2.2.4: our ACK was lost): the same ACK again,
   * unless it is still deferred.
   *
   * @param tag - from {@link AcceptedInvite.tagOf}
   */
  private resendAck(tag: string): void {
    const text = tag === this.firstTag ? this.firstAck : this.forks?.get(tag);
    if (text)
      this.engine.sendAck(parseMessage(Buffer.from(text, 'latin1')) as SipRequest, { flowId: this.flowId });
  }

  /**
   * What the engine calls for each 2xx after the first (the `later2xx` of its send options): a
   * retransmission is ACKed again; another fork's answer is ACKed and, for an initial INVITE,
   * ended with a BYE (RFC 3261 §13.2.2.4, §15: the UAC keeps the first).
   */
  readonly later2xx = (response: SipResponse): void => {
    const tag = AcceptedInvite.tagOf(response);
    if (this.has(tag)) {
      this.resendAck(tag);
      return;
    }
    if (!this.summary) return;
    const invite = summaryMessage(this.summary) as SipRequest;
    this.sendAck(tag, ackFor2xx(invite, response));
    // A re-INVITE (To tag set) is in a dialog already: a second tag there is not a fork.
    if (invite.toTag === undefined) byeUnwanted(this.engine, response, invite, this.flowId);
  };
}

/**
 * RFC 3261 §13.2.2.4, §15: a 2xx the UAC will not use (a second fork answering, or an answer
 * that beat the CANCEL) has been ACKed; the dialog it made is ended with a BYE.
 *
 * @param engine - the engine to send the BYE with
 * @param response - the unwanted 2xx
 * @param sent - the INVITE it answers
 * @param flowId - the connection the INVITE went out on, when it must stay on it
 */
export function byeUnwanted(engine: Engine, response: SipResponse, sent: SipRequest, flowId?: string): void {
  const bye = inDialogRequest(uacDialogRoute(sent, response), 'BYE', sent.cseq.seq + 1);
  engine.send(bye, flowId === undefined ? undefined : { flowId }).subscribe();
}
