// The parsers rxsip is compared with, loaded as CommonJS with the little typing the bench needs.
import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);

/** The installed versions, saved with the figures. */
export const PEER_VERSIONS = {
  sip: (requireCjs('sip/package.json') as { version: string }).version,
  'drachtio-srf': (requireCjs('drachtio-srf/package.json') as { version: string }).version,
};

type Params = Record<string, string | null | undefined>;

interface Via {
  host: string;
  params: Params;
}

interface NameAddr {
  uri: unknown;
  params: Params;
}

interface CSeq {
  seq: number;
  method: string;
}

/** A message of the npm `sip` package: every known header parsed while reading. */
export interface SipJsMessage {
  method?: string;
  uri?: string;
  status?: number;
  headers: {
    via: Via[];
    from: NameAddr;
    to: NameAddr;
    'call-id': string;
    cseq: CSeq;
    [name: string]: unknown;
  };
  content: string;
}

export const sipJs = requireCjs('sip') as {
  /** Takes bytes (read as latin1) or a string; `undefined` when it cannot parse. */
  parse(data: Buffer | string): SipJsMessage | undefined;
  stringify(message: SipJsMessage): string;
};

/** drachtio-srf's lib/sip-parser/parser.js, parsing every known header (`lazy` false). */
export interface DrachtioParsedMessage {
  method?: string;
  headers: {
    via: Via[];
    from: NameAddr;
    to: NameAddr;
    'call-id': string;
    cseq: CSeq;
    [name: string]: unknown;
  };
  body: string;
}

export const drachtioParser = requireCjs('drachtio-srf/lib/sip-parser/parser.js') as {
  parseSipMessage(data: Buffer | string, lazy?: boolean): DrachtioParsedMessage | undefined;
};

/**
 * drachtio-srf's SipMessage (also `Srf.SipMessage`): what drachtio-srf builds for every request
 * and response it hands to the application. Its constructor runs parser.js in lazy mode (header
 * values kept as strings); `getParsedHeader` parses a header on every call, without caching.
 */
export interface DrachtioSipMessage {
  method?: string;
  body: string;
  /** Lower-case names to values as received (repeated headers joined by commas). */
  headers: Record<string, string>;
  get(name: string): string | undefined;
  getParsedHeader(name: 'via'): Via[];
  getParsedHeader(name: 'from' | 'to'): NameAddr;
  getParsedHeader(name: 'cseq'): CSeq;
  toString(): string;
}

export const DrachtioSipMessage = requireCjs('drachtio-srf/lib/sip-parser/message.js') as new (
  raw: string,
) => DrachtioSipMessage;
