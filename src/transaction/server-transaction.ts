import type { Observable } from 'rxjs';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { Source } from '../transport/types.js';

/** A server transaction as its user (the engine, then the application) sees it. */
export interface ServerTransaction {
  readonly key: string;
  readonly source: Source;
  /** True once a final response has been sent. */
  readonly finalSent: boolean;
  /**
   * Sends a response. Returns false when the transaction can no longer send it (a final was
   * already sent, the INVITE was cancelled, or the transaction ended).
   */
  respond(response: SipResponse): boolean;
  /** INVITE only: emits the CANCEL when the caller cancels (the 200 and the 487 are already sent). */
  readonly cancel$?: Observable<SipRequest>;
  /** INVITE only: true once a CANCEL matched it. */
  readonly canceled?: boolean;
  /**
   * Emits the final response once sent, whoever sent it (the application, a CANCEL, a deadline),
   * then completes; subscribed after the final, it only completes.
   */
  readonly final$: Observable<SipResponse>;
}
