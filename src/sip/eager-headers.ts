// The header values the parser reads as it parses (RFC 3261 §8.2, §17.2.3, §18.3: every layer
// needs them), kept as one small object rather than five entries of a message's header cache.
import type { CSeq } from './cseq.js';
import { type NameAddr, parseNameAddr } from './name-addr.js';

/**
 * @internal From, To, CSeq, Max-Forwards and Content-Length as the parser read them from their
 * first lines; `undefined` for a header the message does not have. From and To may be given as
 * text the parser has checked with `isPlainNameAddr`: they are parsed when first read. A message
 * that changes a header moves these into its cache first ({@link EagerHeaders.movedInto}).
 */
export class EagerHeaders {
  private fromValue: NameAddr | string | undefined;
  private toValue: NameAddr | string | undefined;

  /**
   * @param from - the From header, parsed or as checked text
   * @param to - the To header, parsed or as checked text
   * @param cseq - the CSeq header
   * @param maxForwards - the Max-Forwards header
   * @param contentLength - the first Content-Length header
   */
  constructor(
    from: NameAddr | string | undefined,
    to: NameAddr | string | undefined,
    readonly cseq: CSeq | undefined,
    readonly maxForwards: number | undefined,
    readonly contentLength: number | undefined,
  ) {
    this.fromValue = from;
    this.toValue = to;
  }

  /** The From header, parsed on first read. */
  get from(): NameAddr | undefined {
    if (typeof this.fromValue === 'string') this.fromValue = parseNameAddr(this.fromValue, 'From', 'syntax');
    return this.fromValue;
  }

  /** The To header, parsed on first read. */
  get to(): NameAddr | undefined {
    if (typeof this.toValue === 'string') this.toValue = parseNameAddr(this.toValue, 'To', 'syntax');
    return this.toValue;
  }

  /**
   * The value under a header key.
   *
   * @param key - a header key, as `headerKey` makes it
   * @returns the value, or `undefined` when the key is not one of these or the header is absent
   */
  get(key: string): unknown {
    switch (key) {
      case 'from':
        return this.from;
      case 'to':
        return this.to;
      case 'cseq':
        return this.cseq;
      case 'max-forwards':
        return this.maxForwards;
      case 'content-length':
        return this.contentLength;
      default:
        return undefined;
    }
  }

  /**
   * Puts the values into a message's header cache, where it has none of its own.
   *
   * @param cache - the cache by header key, if the message has one
   * @returns the cache, a new one when there was none
   */
  movedInto(cache: Map<string, unknown> = new Map()): Map<string, unknown> {
    const put = (key: string, value: unknown) => {
      if (value !== undefined && !cache.has(key)) cache.set(key, value);
    };
    put('from', this.from);
    put('to', this.to);
    put('cseq', this.cseq);
    put('max-forwards', this.maxForwards);
    put('content-length', this.contentLength);
    return cache;
  }
}
