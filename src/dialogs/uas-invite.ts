import { Observable, type Subscription } from 'rxjs';
import { createResponse } from '../sip/build.js';
import { uasDialogRoute } from '../sip/dialog-route.js';
import type { SipResponse } from '../sip/message.js';
import type { RequestEvent } from '../streams/request-router.js';
import type { SrfRequest } from '../streams/srf-request.js';
import type { SrfResponse } from '../streams/srf-response.js';
import { Dialog, type EarlyInvite } from './dialog.js';
import { SipError } from './sip-error.js';
import { AnswerRetransmitter } from './uas-answer.js';
import type { UserAgent } from './user-agent.js';

function hasTag(list: string | undefined, tag: string): boolean {
  return (list ?? '').split(',').some((t) => t.trim().toLowerCase() === tag);
}

interface Outstanding {
  rseq: number;
  timer: Subscription | undefined;
}

/**
 * The UAS side of one incoming INVITE, between the request and its final response:
 * reliable provisional responses (RFC 3262 §3: RSeq, resent until PRACKed, one at a time, the
 * 2xx held until the last is PRACKed), the early dialog a provisional response with a To tag
 * makes, and the resending of the 2xx until its ACK (RFC 3261 §13.3.1.4).
 */
export class UasInvite implements EarlyInvite {
  private early: Dialog | undefined;
  private rseq: number | undefined;
  private outstanding: Outstanding | undefined;
  private readonly held: SipResponse[] = [];
  private answered: ((response: SipResponse) => void) | undefined;
  private finished = false;
  /** The 2xx once sent, resent until the ACK. */
  answer: AnswerRetransmitter | undefined;

  constructor(
    private readonly ua: UserAgent,
    private readonly req: SrfRequest,
    private readonly res: SrfResponse,
  ) {
    res.transmit = (response) => this.transmit(response);
    // Finals the application did not send (487 after a CANCEL, the stack's deadline) end it too.
    req.inbound.final$.subscribe((response) => this.final(response));
  }

  /** The early dialog, if a provisional response with a To tag has been sent. */
  get earlyDialog(): Dialog | undefined {
    return this.early;
  }

  private get supportsReliable(): boolean {
    return hasTag(this.req.get('supported'), '100rel') || hasTag(this.req.get('require'), '100rel');
  }

  private send(response: SipResponse): boolean {
    return this.req.inbound.respond(response);
  }

  private transmit(response: SipResponse): boolean {
    if (this.finished) return false;
    const status = response.status;
    if (status > 100 && status < 200) {
      this.ensureEarlyDialog(response);
      if (hasTag(response.get('require'), '100rel')) {
        if (!this.supportsReliable) {
          // RFC 3262 §3: only to a UAC that supports it; sent unreliably otherwise.
          const rest = (response.get('require') ?? '')
            .split(',')
            .filter((t) => t.trim().toLowerCase() !== '100rel');
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
          this.send(createResponse(this.req, 504, { reason: 'No PRACK', toTag: this.res.toTag }));
          return;
        }
        this.req.inbound.respond(response);
        resend(Math.min(2 * interval, 64 * t1 - total), total);
      }, interval);
    };
    resend(t1, 0);
    return true;
  }

  private ensureEarlyDialog(response: SipResponse): void {
    if (this.early || !response.toTag) return;
    const contact =
      response.get('contact') ?? `<${this.ua.engine.contactUri(this.req.source.local.protocol)}>`;
    if (!response.has('contact')) response.set('Contact', contact);
    this.early = new Dialog({
      ua: this.ua,
      type: 'uas',
      dialogType: 'INVITE',
      route: uasDialogRoute(this.req, this.res.toTag),
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

  receivePrack(event: RequestEvent): void {
    const { req, res } = event;
    const rack = (() => {
      try {
        return req.getParsedHeader('rack');
      } catch {
        return undefined;
      }
    })();
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

  private flush(): void {
    while (!this.outstanding && this.held.length > 0) {
      const next = this.held.shift() as SipResponse;
      if (next.status < 200) this.sendReliable(next);
      else this.send(next);
    }
  }

  endedByBye(): void {
    if (this.finished) return;
    this.send(createResponse(this.req, 487, { toTag: this.res.toTag }));
  }

  private final(response: SipResponse): void {
    if (this.finished) return;
    this.finished = true;
    this.outstanding?.timer?.unsubscribe();
    this.outstanding = undefined;
    this.held.length = 0;
    if (this.req.canceled) this.canceled();
    else if (response.status >= 300) this.early?.terminate('call-rejected', 'local', undefined, response);
    this.answered?.(response);
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
   * Sends the 2xx (held while a reliable provisional response waits for its PRACK) and emits it
   * once it is really sent, then completes; the 2xx is then resent until its ACK, and `onAckTimeout`
   * runs if none comes.
   */
  answer$(
    status: number,
    options: Parameters<SrfResponse['send']>[2],
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
      if (!this.res.send(status, options)) {
        this.answered = undefined;
        subscriber.complete();
      }
      return () => {
        this.answered = undefined;
      };
    });
  }
}

/**
 * The early dialog of an incoming INVITE, once a provisional response with a To tag has been
 * sent: UPDATE (RFC 3311) and INFO go through it before the call is answered.
 */
export function earlyDialogOf(req: SrfRequest): Dialog | undefined {
  return req.context instanceof Object && 'inviteOf' in req.context
    ? (req.context as { inviteOf(r: SrfRequest): UasInvite | undefined }).inviteOf(req)?.earlyDialog
    : undefined;
}
