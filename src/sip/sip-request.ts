import { type HeaderField, SipMessage, userOf } from './sip-message.js';
import { parseUri, type Uri } from './uri.js';

/** A SIP request. `uri` is the Request-URI as text; {@link requestUri} its parsed form. */
export class SipRequest extends SipMessage {
  private parsedUriText: string | undefined;
  private parsedUri: Uri | undefined;

  constructor(
    public method: string,
    public uri: string,
    fields: HeaderField[] = [],
    payload?: Buffer,
    public version = 'SIP/2.0',
  ) {
    super(fields, payload);
  }

  get type(): 'request' {
    return 'request';
  }

  get startLine(): string {
    return `${this.method} ${this.uri} ${this.version}`;
  }

  /** The Request-URI parsed (cached until `uri` changes). Throws {@link SipParseError}. */
  get requestUri(): Uri {
    if (this.parsedUri === undefined || this.parsedUriText !== this.uri) {
      this.parsedUri = parseUri(this.uri);
      this.parsedUriText = this.uri;
    }
    return this.parsedUri;
  }

  get calledNumber(): string | undefined {
    return userOf(this.uri);
  }

  override adoptParsed(source: SipMessage): void {
    super.adoptParsed(source);
    if (source instanceof SipRequest) {
      this.parsedUri = source.parsedUri;
      this.parsedUriText = source.parsedUriText;
    }
  }

  clone(): SipRequest {
    return this.copyInto(new SipRequest(this.method, this.uri, [], undefined, this.version));
  }
}
