// The messages of the drachtio wire protocol: a `|`-separated leader, optionally followed by CRLF
// and a SIP message. Token 0 is the message id, token 1 its type.

/** A message whose leader cannot be read: no id or no type. */
export class WireMessageError extends Error {
  /** @param message - what was wrong */
  constructor(message: string) {
    super(message);
    this.name = 'WireMessageError';
  }
}

/** Message types an app sends to a drachtio-server. */
export const CLIENT_MESSAGE_TYPES = [
  'authenticate',
  'route',
  'remove_route',
  'ping',
  'sip',
  'proxy',
] as const;

/** Message types a drachtio-server sends to an app. */
export const SERVER_MESSAGE_TYPES = ['response', 'sip', 'cdr:attempt', 'cdr:start', 'cdr:stop'] as const;

/** One message: its id, its type, the leader's other tokens and the SIP message it carries. */
export interface WireMessage {
  /** Token 0: a fresh id (a UUID); a reply names the id of the message it answers. */
  id: string;
  /** Token 1: `authenticate`, `route`, `sip`, `proxy`, `response`, `cdr:stop`, ... */
  type: string;
  /** The leader's tokens after the type. */
  args: string[];
  /** The SIP message after the leader's CRLF, if any. */
  sip?: string;
}

/**
 * Reads a frame's payload: the leader up to the first CR, split on every `|`, and what follows
 * the CRLF as the SIP message.
 *
 * @param payload - a frame's payload
 * @returns the message
 * @throws {@link WireMessageError} when the leader has no id or no type
 */
export function parseWireMessage(payload: string): WireMessage {
  const cr = payload.indexOf('\r');
  const leader = cr < 0 ? payload : payload.slice(0, cr);
  const [id = '', type = '', ...args] = leader.split('|');
  if (id === '' || type === '') {
    throw new WireMessageError(
      `message without ${id === '' ? 'an id' : 'a type'}: ${JSON.stringify(leader.slice(0, 60))}`,
    );
  }
  if (cr < 0) return { id, type, args };
  return { id, type, args, sip: payload.slice(payload.charAt(cr + 1) === '\n' ? cr + 2 : cr + 1) };
}

/**
 * Writes a message's payload (to be framed with {@link encodeFrame}).
 *
 * @param message - id, type, tokens and SIP message
 * @returns the payload
 */
export function formatWireMessage(message: WireMessage): string {
  const leader = [message.id, message.type, ...message.args].join('|');
  return message.sip === undefined ? leader : `${leader}\r\n${message.sip}`;
}

/**
 * Whether a token can be written into a leader as is: no `|`, no CR or LF.
 *
 * @param token - a secret, a tag, a URI
 * @returns true when it can
 */
export function isPlainToken(token: string): boolean {
  return !/[|\r\n]/.test(token);
}

/** A reply (`response` message): the id of the message it answers, OK or not, and what follows. */
export interface WireReply {
  /** The id of the message answered. */
  rid: string;
  /** `OK`, `NOK` (an operation failed) or `NO` (a protocol error, such as a wrong secret). */
  status: string;
  /** The tokens after the status. */
  values: string[];
  /** The SIP message sent (an echo), or a response received by a proxy operation. */
  sip?: string;
}

/**
 * Reads a `response` message.
 *
 * @param message - a message of type `response`
 * @returns the reply
 */
export function readReply(message: WireMessage): WireReply {
  const [rid = '', status = '', ...values] = message.args;
  return message.sip === undefined ? { rid, status, values } : { rid, status, values, sip: message.sip };
}

/**
 * The tokens of a reply: `<rid>|<status>|<values...>`.
 *
 * @param reply - what to answer
 * @returns the args of a `response` message
 */
export function replyArgs(reply: Omit<WireReply, 'sip'>): string[] {
  return [reply.rid, reply.status, ...reply.values];
}
