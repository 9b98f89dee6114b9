import { SipParseError } from './errors.js';
import { type HeaderField, SipMessage } from './sip-message.js';
import { parseUri, type Uri } from './uri.js';
import { userOf } from './user-of.js';

/**
 * A SIP request (RFC 3261 §7.1). `uri` is the Request-URI as text; {@link SipRequest.requestUri}
 * its parsed form. Build one with `createRequest` rather than the constructor, which takes the
 * header lines as they are.
 *
 * @example
 * ```ts
 * import { createRequest, isSipUri } from 'rxsip/sip';
 *
 * const invite = createRequest({ method: 'INVITE', uri: 'sip:+15551234567@gw.example.com;user=phone', from: '<sip:alice@example.com>' });
 * const target = invite.requestUri;
 * if (isSipUri(target)) console.log(target.host, invite.calledNumber); // gw.example.com +15551234567
 * ```
 */
export class SipRequest extends SipMessage {
  private parsedUriText: string | undefined;
  private parsedUri: Uri | undefined;

  /**
   * @param method - the method, upper case (`INVITE`)
   * @param uri - the Request-URI as text
   * @param fields - the header lines in wire order
   * @param payload - the body bytes
   * @param version - the protocol version of the request line
   */
  constructor(
    /** The method, as in the request line (`INVITE`, `BYE`, ...). */
    public method: string,
    /** The Request-URI as text; setting it retargets the request (RFC 3261 §16.5). */
    public uri: string,
    fields: HeaderField[] = [],
    payload?: Buffer,
    /** The protocol version of the request line, `SIP/2.0`. */
    public version = 'SIP/2.0',
  ) {
    super(fields, payload);
  }

  /** Always `'request'`. */
  get type(): 'request' {
    return 'request';
  }

  /** The request line, `<method> <Request-URI> SIP/2.0`, without CRLF. */
  get startLine(): string {
    return `${this.method} ${this.uri} ${this.version}`;
  }

  /** The Request-URI parsed (cached until `uri` changes). Throws `SipParseError` when it is malformed. */
  get requestUri(): Uri {
    if (this.parsedUri === undefined || this.parsedUriText !== this.uri) {
      this.parsedUri = parseUri(this.uri);
      this.parsedUriText = this.uri;
    }
    return this.parsedUri;
  }

  /**
   * @internal Gives the Request-URI as already parsed (from the Contact it was taken from), so
   * it is not parsed again; it holds for `uri` as it is now.
   */
  seedRequestUri(uri: Uri): void {
    this.parsedUri = uri;
    this.parsedUriText = this.uri;
  }

  /** The called party: the user of a SIP Request-URI, the number of a tel URI. */
  get calledNumber(): string | undefined {
    // The Request-URI as `requestUri` parsed it (checkRequest has already): not parsed again.
    let uri: Uri;
    try {
      uri = this.requestUri;
    } catch (err) {
      if (err instanceof SipParseError) return undefined;
      throw err;
    }
    return userOf(uri);
  }

  /**
   * Takes over what `source`, a message over the same header lines, has already parsed, the
   * Request-URI included: plumbing of the stack's request wrappers, not for applications.
   *
   * @param source - the message this one wraps
   */
  override adoptParsed(source: SipMessage): void {
    super.adoptParsed(source);
    if (source instanceof SipRequest) {
      this.parsedUri = source.parsedUri;
      this.parsedUriText = source.parsedUriText;
    }
  }

  /**
   * A copy with its own header lines, sharing the body bytes: what a proxy or B2BUA changes
   * before forwarding, leaving the received request as it was.
   *
   * @returns the copy
   */
  clone(): SipRequest {
    return this.copyInto(new SipRequest(this.method, this.uri, [], undefined, this.version));
  }
}
