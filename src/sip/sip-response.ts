import { type HeaderField, SipMessage } from './sip-message.js';
import { userOfNameAddr } from './user-of.js';

/**
 * A SIP response (RFC 3261 §7.2). Build one with `createResponse`, which copies what the
 * request's transaction needs, rather than the constructor, which takes header lines as they are.
 *
 * @example
 * ```ts
 * import { createResponse, type SipRequest } from 'rxsip/sip';
 *
 * declare const invite: SipRequest;
 * const busy = createResponse(invite, 486);
 * console.log(busy.status, busy.reason, busy.toTag); // 486 Busy Here <a fresh tag>
 * ```
 */
export class SipResponse extends SipMessage {
  /**
   * @param status - the status code, 100 to 699
   * @param reason - the reason phrase
   * @param fields - the header lines in wire order
   * @param payload - the body bytes
   * @param version - the protocol version of the status line
   */
  constructor(
    /** The status code: 1xx provisional, 2xx success, 3xx to 6xx final failures (RFC 3261 §21). */
    public status: number,
    /** The reason phrase, for people; nothing acts on it. */
    public reason: string,
    fields: HeaderField[] = [],
    payload?: Buffer,
    /** The protocol version of the status line, `SIP/2.0`. */
    public version = 'SIP/2.0',
  ) {
    super(fields, payload);
  }

  /** Always `'response'`. */
  get type(): 'response' {
    return 'response';
  }

  /** drachtio-srf's name for {@link SipResponse.status}. */
  get statusCode(): number {
    return this.status;
  }

  /** The status line, `SIP/2.0 <status> <reason>`, without CRLF. */
  get startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }

  /** The called party: the user of the To URI. */
  get calledNumber(): string | undefined {
    return userOfNameAddr(this.tryParsedHeader('to'));
  }

  /**
   * A copy with its own header lines, sharing the body bytes: what a proxy or B2BUA changes
   * before passing a response on.
   *
   * @returns the copy
   */
  clone(): SipResponse {
    return this.copyInto(new SipResponse(this.status, this.reason, [], undefined, this.version));
  }
}
