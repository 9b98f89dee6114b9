import { type HeaderField, SipMessage, userOf } from './sip-message.js';

/** A SIP response. */
export class SipResponse extends SipMessage {
  constructor(
    public status: number,
    public reason: string,
    fields: HeaderField[] = [],
    payload?: Buffer,
    public version = 'SIP/2.0',
  ) {
    super(fields, payload);
  }

  get type(): 'response' {
    return 'response';
  }

  /** drachtio-srf's name for {@link status}. */
  get statusCode(): number {
    return this.status;
  }

  get startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }

  get calledNumber(): string | undefined {
    return userOf(this.tryParsedHeader('to')?.uri);
  }

  clone(): SipResponse {
    return this.copyInto(new SipResponse(this.status, this.reason, [], undefined, this.version));
  }
}
