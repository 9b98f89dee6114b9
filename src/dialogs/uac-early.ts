import type { Observable } from 'rxjs';
import type { AuthProvider } from '../requests/digest-client.js';
import { uacDialogRoute } from '../sip/dialog-route.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { hasOptionTag } from '../sip/option-tags.js';
import type { Dialog } from './dialog.js';
import { createDialog } from './dialog-factory.js';
import type { SessionTimerTerms } from './session-timer-terms.js';
import type { UserAgent } from './user-agent.js';

/** Sends the PRACK for a reliable provisional response, with an optional body (RFC 3262 §4). */
export type PrackSender = (options?: { body?: string; headers?: HeaderInit }) => Observable<SipResponse>;

interface Early {
  dialog: Dialog;
  lastRseq: number | undefined;
}

/**
 * The early dialogs of an outgoing INVITE, one per To tag of its provisional responses (forks),
 * and the PRACKs of RFC 3262 §4: reliable provisionals are PRACKed in RSeq order (retransmitted
 * ones are ignored), automatically unless the application sends the PRACK itself. The dialog a
 * 2xx names is confirmed; the others end with the INVITE.
 */
export class EarlyDialogs {
  private readonly byTag = new Map<string, Early>();

  constructor(
    private readonly ua: UserAgent,
    private readonly auth: AuthProvider | undefined,
    private readonly manualPrack: boolean,
  ) {}

  /**
   * A provisional response with a To tag. Returns its early dialog and, for a new reliable one, the
   * PRACK sender (already used when PRACKs are automatic); `undefined` for a retransmitted
   * reliable response, which is not passed on.
   */
  provisional(
    response: SipResponse,
    invite: SipRequest,
  ): { dialog: Dialog; prack?: PrackSender } | undefined {
    const tag = response.toTag;
    if (!tag) return undefined;
    let early = this.byTag.get(tag);
    if (!early) {
      early = {
        dialog: createDialog({
          ua: this.ua,
          type: 'uac',
          dialogType: 'INVITE',
          route: uacDialogRoute(invite, response),
          localContact: invite.get('contact') ?? '',
          localSdp: invite.body,
          remoteSdp: response.body,
          localCseq: invite.cseq.seq,
          remoteCseq: 0,
          createdBy: response,
          auth: this.auth,
          state: 'early',
        }),
        lastRseq: undefined,
      };
      this.byTag.set(tag, early);
    } else if (response.payload.length > 0) {
      early.dialog.remote.sdp = response.body;
    }
    const rseq = response.tryParsedHeader('rseq');
    if (rseq === undefined || !hasOptionTag(response, 'require', '100rel')) return { dialog: early.dialog };
    // RFC 3262 §4: only the next RSeq in order is acknowledged; a repeat is a retransmission.
    if (early.lastRseq !== undefined && rseq !== early.lastRseq + 1) return undefined;
    early.lastRseq = rseq;
    const dialog = early.dialog;
    const prack: PrackSender = (options = {}) =>
      dialog.send$({
        method: 'PRACK',
        headers: { RAck: `${rseq} ${invite.cseq.seq} INVITE`, ...options.headers },
        body: options.body,
      });
    if (!this.manualPrack) prack().subscribe();
    return { dialog, prack };
  }

  /** The dialog for a 2xx: its early dialog confirmed (route set and target from the 2xx), or undefined. */
  confirm(response: SipResponse, invite: SipRequest, sessionTimer?: SessionTimerTerms): Dialog | undefined {
    const early = this.byTag.get(response.toTag ?? '');
    if (!early) return undefined;
    early.dialog.confirm({
      route: uacDialogRoute(invite, response),
      remoteSdp: response.payload.length ? response.body : undefined,
      createdBy: response,
      sessionTimer,
    });
    this.byTag.delete(response.toTag ?? '');
    return early.dialog;
  }

  /** The INVITE has its final response: early dialogs not confirmed by it end. */
  end(response: SipResponse): void {
    for (const early of this.byTag.values()) {
      if (early.dialog.state === 'early')
        early.dialog.terminate(
          response.status === 487 ? 'call-canceled' : 'call-rejected',
          'remote',
          undefined,
          response,
        );
    }
    this.byTag.clear();
  }
}
