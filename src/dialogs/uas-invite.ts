import { Observable, type Subscription } from 'rxjs';
import type { RequestEvent, SrfRequest } from '../requests/srf-request.js';
import type { ResponseChannel, SendOptions, SrfResponse } from '../requests/srf-response.js';
import { createResponse } from '../sip/build.js';
import { uasDialogRoute } from '../sip/dialog-route.js';
import type { SipResponse } from '../sip/message.js';
import { hasOptionTag } from '../sip/option-tags.js';
import type { Dialog } from './dialog.js';
import type { EarlyInvite } from './dialog-core.js';
import { createDialog } from './dialog-factory.js';
import { SipError } from './sip-error.js';
import { AnswerRetransmitter } from './uas-answer.js';
import { answeredDialog } from './uas-dialog.js';
import type { UserAgent } from './user-agent.js';

interface Outstanding {
  rseq: number;
  timer: Subscription | undefined;
}

/**
 * The UAS side of one incoming INVITE, between the request and its final response, as the
 * response channel of its `res`: reliable provisional responses (RFC 3262 §3: RSeq, resent
 * until PRACKed, one at a time, the 2xx held until the last is PRACKed), the early dialog a
 * provisional response with a To tag makes, and the resending of the 2xx until its ACK
 * (RFC 3261 §13.3.1.4).
 */
export class UasInvite implements EarlyInvite, ResponseChannel {
  private early: Dialog | undefined;
  private rseq: number | undefined;
  private outstanding: Outstanding | undefined;
  private readonly held: SipResponse[] = [];
  private answered: ((response: SipResponse) => void) | undefined;
  private finished = false;
  /** A 2xx went out through this channel (the application's), not one a proxy relayed. */
  private answeredHere = false;
  /** The 2xx once sent, resent until the ACK. */
  answer: AnswerRetransmitter | undefined;

  /**
   * @param ua - the user agent the INVITE reached
   * @param req - the INVITE
   */
  constructor(
    private readonly ua: UserAgent,
    private readonly req: SrfRequest,
  ) {
    // Finals the application did not send (487 after a CANCEL, the stack's deadline) end it too.
    req.inbound.final$.subscribe((response) => this.final(response));
  }

  /**
   * The early dialog, if a provisional response with a To tag has been sent; once a 2xx sent
   * with `res.send` confirmed it (or made a new one), that dialog.
   */
  get earlyDialog(): Dialog | undefined {
    return this.early;
  }

  private get supportsReliable(): boolean {
    return hasOptionTag(this.req, 'supported', '100rel') || hasOptionTag(this.req, 'require', '100rel');
  }

  private send(response: SipResponse): boolean {
    return this.req.inbound.respond(response);
  }

  /** Sends a response of the INVITE: reliably when it asks to be and may, held while a PRACK is awaited. */
  transmit(response: SipResponse, res: SrfResponse): boolean {
    if (this.finished) return false;
    const status = response.status;
    if (status > 100 && status < 200) {
      this.ensureEarlyDialog(response, res.toTag);
      if (hasOptionTag(response, 'require', '100rel')) {
        if (!this.supportsReliable) {
          // RFC 3262 §3: only to a UAC that supports it; sent unreliably otherwise.
          const rest = response
            .getAll('require')
            .flatMap((v) => v.split(','))
            .filter((t) => t.trim() !== '' && t.trim().toLowerCase() !== '100rel');
          response.set('Require', rest.length ? rest.join(',') : undefined);
          return this.send(response);
        }
        if (this.outstanding) {
          this.held.push(response);
          return true;
        }
        return this.sendReliable(response);
      }
      return this.send(response);
    }
    if (status >= 200 && status < 300) {
      // RFC 3261 §12.1.1: a 2xx that makes a dialog carries our Contact.
      if (!response.has('contact'))
        response.set('Contact', `<${this.ua.engine.contactUri(this.req.source.local.protocol)}>`);
      this.answeredHere = true;
    }
    if (status >= 200 && status < 300 && this.outstanding) {
      // RFC 3262 §3: the 2xx waits for the PRACK of the outstanding reliable response.
      this.held.push(response);
      return true;
    }
    return this.send(response);
  }

  private sendReliable(response: SipResponse): boolean {
    // RFC 3262 §3: RSeq starts anywhere in 1..2^31-1 and counts up by one.
    this.rseq = this.rseq === undefined ? 1 + Math.floor(this.ua.random() * 0x7fffffff) : this.rseq + 1;
    response.set('RSeq', this.rseq);
    if (!this.req.inbound.respond(response)) return false;
    const outstanding: Outstanding = { rseq: this.rseq, timer: undefined };
    this.outstanding = outstanding;
    const { t1 } = this.ua.timers;
    // Resent at T1, doubling, until PRACKed; after 64*T1 the INVITE is rejected with a 5xx.
    const resend = (interval: number, elapsed: number) => {
      outstanding.timer = this.ua.scheduler.schedule(() => {
        if (this.outstanding !== outstanding) return;
        const total = elapsed + interval;
        if (total >= 64 * t1) {
          this.ua.log.info({ callId: this.req.callId }, 'no PRACK for a reliable provisional response');
          this.outstanding = undefined;
          this.held.length = 0;
          this.send(createResponse(this.req, 504, { reason: 'No PRACK', toTag: response.toTag }));
          return;
        }
        this.req.inbound.respond(response);
        resend(Math.min(2 * interval, 64 * t1 - total), total);
      }, interval);
    };
    resend(t1, 0);
    return true;
  }

  private ensureEarlyDialog(response: SipResponse, toTag: string): void {
    if (this.early || !response.toTag) return;
    const contact =
      response.get('contact') ?? `<${this.ua.engine.contactUri(this.req.source.local.protocol)}>`;
    if (!response.has('contact')) response.set('Contact', contact);
    this.early = createDialog({
      ua: this.ua,
      type: 'uas',
      dialogType: 'INVITE',
      route: uasDialogRoute(this.req, toTag),
      localContact: contact,
      localSdp: response.payload.length ? response.body : '',
      remoteSdp: this.req.body,
      localCseq: 0,
      remoteCseq: this.req.cseq.seq,
      createdBy: response,
      flowId: this.req.source.flowId,
      state: 'early',
      invite: this,
    });
  }

  /** A PRACK in the early dialog (RFC 3262 §3). */
  receivePrack(event: RequestEvent): void {
    const { req, res } = event;
    const rack = req.tryParsedHeader('rack');
    const outstanding = this.outstanding;
    const matches =
      rack &&
      outstanding &&
      rack.rseq === outstanding.rseq &&
      rack.cseq === this.req.cseq.seq &&
      rack.method === 'INVITE';
    if (!matches || !outstanding) {
      // RFC 3262 §3: a PRACK that matches no unacknowledged reliable response gets 481.
      res.send(481);
      return;
    }
    outstanding.timer?.unsubscribe();
    this.outstanding = undefined;
    if (req.payload.length > 0 && this.early) this.early.remote.sdp = req.body;
    if (!this.req.offerPrack(event)) res.send(200);
    this.flush();
  }

  /**
   * Takes back a 2xx still held for a PRACK, so it is never sent and makes no dialog.
   *
   * @returns whether it was held
   */
  private withdraw(response: SipResponse): boolean {
    const i = this.held.indexOf(response);
    if (i < 0) return false;
    this.held.splice(i, 1);
    this.answeredHere = false;
    return true;
  }

  private flush(): void {
    while (!this.outstanding && this.held.length > 0) {
      const next = this.held.shift() as SipResponse;
      if (next.status < 200) this.sendReliable(next);
      else this.send(next);
    }
  }

  /** The caller ended the early dialog with BYE: the INVITE gets 487. */
  endedByBye(): void {
    if (this.finished) return;
    this.send(createResponse(this.req, 487, { toTag: this.early?.sip.localTag }));
  }

  private final(response: SipResponse): void {
    if (this.finished) return;
    this.finished = true;
    this.outstanding?.timer?.unsubscribe();
    this.outstanding = undefined;
    this.held.length = 0;
    if (this.req.canceled) this.canceled();
    else if (response.status >= 300) this.early?.terminate('call-rejected', 'local', undefined, response);
    if (this.answered) this.answered(response);
    else if (response.status < 300 && this.answeredHere) this.adopt(response);
  }

  /**
   * A 2xx the application sent with `res.send` rather than through `uas$`: it makes the dialog
   * all the same (RFC 3261 §12.1.1), and the UAS core resends it until the ACK (§13.3.1.4), which
   * reaches the dialog's `ack$`. Without an ACK the dialog ends with BYE (`ack-timeout`).
   */
  private adopt(response: SipResponse): void {
    let dialog: Dialog | undefined;
    this.answer = new AnswerRetransmitter(this.ua, this.req.inbound, response, () =>
      dialog?.end$({ reason: 'ack-timeout' }).subscribe(),
    );
    const contact =
      response.get('contact') ?? `<${this.ua.engine.contactUri(this.req.source.local.protocol)}>`;
    dialog = answeredDialog(this.req, response.body, response, contact, this.answer, undefined, this.early);
    this.early = dialog;
  }

  /** The caller cancelled (the stack sent the 487): the early dialog ends, or the CDR stops, with the CANCEL. */
  private canceled(): void {
    this.req.cancel$.subscribe((cancel) => {
      if (this.early) this.early.terminate('call-canceled', 'remote', cancel);
      else
        this.ua.cdr({
          type: 'stop',
          source: 'network',
          time: new Date(this.ua.scheduler.now()),
          reason: 'call-canceled',
          msg: cancel,
        });
    });
  }

  /**
   * Sends the 2xx through `res` (held while a reliable provisional response waits for its
   * PRACK) and emits it once it is really sent, then completes; the 2xx is then resent until its
   * ACK, and `onAckTimeout` runs if none comes. A final other than the 2xx (a 504 for want of a
   * PRACK, a CANCEL's 487) errors with SipError; a 2xx that cannot be sent completes empty.
   * Unsubscribing while the 2xx is still held withdraws it: it is never sent, no dialog is made,
   * and the INVITE waits for the application's answer (or the stack's deadline) again.
   */
  answer$(
    res: SrfResponse,
    status: number,
    options: SendOptions,
    onAckTimeout: () => void,
  ): Observable<SipResponse> {
    return new Observable<SipResponse>((subscriber) => {
      this.answered = (response) => {
        this.answered = undefined;
        if (response.status >= 300) {
          subscriber.error(new SipError(response.status, response.reason, response));
          return;
        }
        this.answer = new AnswerRetransmitter(this.ua, this.req.inbound, response, onAckTimeout);
        subscriber.next(response);
        subscriber.complete();
      };
      const sent = res.send(status, options);
      if (!sent) {
        this.answered = undefined;
        subscriber.complete();
      }
      if (sent && this.held.includes(sent)) return this.withdrawOnTeardown(res, sent);
      return () => {
        this.answered = undefined;
      };
    });
  }

  // A closure of its own: one in answer$'s scope would put the 2xx and `res` in the context
  // that answer$'s other closures share, and keep them alive as long as any of those lives.
  private withdrawOnTeardown(res: SrfResponse, held: SipResponse): () => void {
    return () => {
      this.answered = undefined;
      // Unsubscribing cancels: a 2xx not yet sent is not sent for a subscriber gone, whose
      // dialog nobody would hold (RFC 3262 §3 held it; nothing has reached the caller).
      if (this.withdraw(held)) res.withdraw(held);
    };
  }
}

/**
 * Starts following an incoming INVITE until its final response; its `res` sends through the
 * returned channel.
 *
 * @param ua - the user agent it reached
 * @param req - the INVITE
 * @returns the response channel for its `res`
 */
export function acceptInvite(ua: UserAgent, req: SrfRequest): ResponseChannel {
  const invite = new UasInvite(ua, req);
  // Kept on the request, not in a WeakMap (see SrfRequest.layerState).
  req.layerState = invite;
  return invite;
}

/** The UAS state of an incoming INVITE, if it reached the application through an Srf. */
export function inviteOf(req: SrfRequest): UasInvite | undefined {
  const state = req.layerState;
  return state instanceof UasInvite ? state : undefined;
}

/**
 * The early dialog of an incoming INVITE, once a provisional response with a To tag has been
 * sent: UPDATE (RFC 3311) and INFO go through it before the call is answered.
 *
 * @param req - an INVITE from `srf.invite$`
 * @returns its early dialog, if any
 * @example
 * ```ts
 * import { earlyDialogOf, type RequestEvent } from 'rxsip';
 *
 * declare const call: RequestEvent;
 * declare const sdp: string;
 * call.res.send(183, { body: sdp });
 * earlyDialogOf(call.req)?.update$.subscribe(({ res }) => res.send(200));
 * ```
 */
export function earlyDialogOf(req: SrfRequest): Dialog | undefined {
  return inviteOf(req)?.earlyDialog;
}
