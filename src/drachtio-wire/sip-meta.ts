// The tokens around SIP messages: where a message came from or went (`sip` messages from the
// server, the replies echoing what was sent), and what an app asks for (`sip` messages to it).

/** Who made a message the server hands over: the network, or the server itself (`application`). */
export type MessageSource = 'network' | 'application';

/**
 * What a `sip` message from the server says about its SIP message:
 * `sip|<source>|<bytes>|<protocol>|<address>|<port>|<time>|<txnId>|<dialogId>[|<destAddress>|<destPort>]`.
 */
export interface SipMeta {
  source: MessageSource;
  /** The SIP message's size in bytes. */
  bytes: number;
  /** `udp`, `tcp`, `tls`, `ws`, `wss`. */
  protocol: string;
  /** The peer's address and port. */
  address: string;
  port: number;
  /** `HH:MM:SS.uuuuuu` (see {@link wireTime}). */
  time: string;
  /** The transaction's id; `unsolicited` for a request the server made itself. */
  txnId: string;
  /** The dialog's id, empty outside one. */
  dialogId: string;
  /** New requests: the listening point they reached. */
  destAddress?: string;
  destPort?: number;
}

/**
 * The tokens of a `sip` message from the server, after its type.
 *
 * @param meta - where the message came from
 * @returns the args
 */
export function sipMetaArgs(meta: SipMeta): string[] {
  const args = [
    meta.source,
    String(meta.bytes),
    meta.protocol,
    meta.address,
    String(meta.port),
    meta.time,
    meta.txnId,
    meta.dialogId,
  ];
  if (meta.destAddress !== undefined) args.push(meta.destAddress, String(meta.destPort ?? 0));
  return args;
}

/**
 * Reads the tokens of a `sip` message from the server.
 *
 * @param args - the args after the type
 * @returns the meta, or undefined when fewer than eight tokens are there
 */
export function readSipMeta(args: readonly string[]): SipMeta | undefined {
  if (args.length < 8) return undefined;
  const [source, bytes, protocol, address, port, time, txnId, dialogId, destAddress, destPort] = args;
  const meta: SipMeta = {
    source: source === 'application' ? 'application' : 'network',
    bytes: Number(bytes) || 0,
    protocol: (protocol ?? '').toLowerCase(),
    address: address ?? '',
    port: Number(port) || 0,
    time: time ?? '',
    txnId: txnId ?? '',
    dialogId: dialogId ?? '',
  };
  if (destAddress) {
    meta.destAddress = destAddress;
    meta.destPort = Number(destPort) || 0;
  }
  return meta;
}

/** What a reply says about a SIP message the server sent for the app. */
export interface SentMeta {
  bytes: number;
  protocol: string;
  /** Where it went. */
  address: string;
  port: number;
  time: string;
  txnId: string;
  dialogId: string;
}

/**
 * The values of an `OK` reply to a `sip` message (the echo of what was sent follows as its SIP
 * message): `application|<bytes>|<protocol>|<address>|<port>|<time>|<txnId>|<dialogId>||Msg sent:`.
 *
 * @param meta - what was sent, where
 * @returns the values after `OK`
 */
export function sentValues(meta: SentMeta): string[] {
  return [
    'application',
    String(meta.bytes),
    meta.protocol,
    meta.address,
    String(meta.port),
    meta.time,
    meta.txnId,
    meta.dialogId,
    '',
    'Msg sent:',
  ];
}

/**
 * Reads the values of an `OK` reply to a `sip` message.
 *
 * @param values - the values after `OK`
 * @returns the meta
 */
export function readSentValues(values: readonly string[]): SentMeta {
  const [, bytes, protocol, address, port, time, txnId, dialogId] = values;
  return {
    bytes: Number(bytes) || 0,
    protocol: (protocol ?? '').toLowerCase(),
    address: address ?? '',
    port: Number(port) || 0,
    time: time ?? '',
    txnId: txnId ?? '',
    dialogId: dialogId ?? '',
  };
}

/** What an app's `sip` message asks: `sip|<txnId>|<dialogId>[|<proxy>]`. */
export interface SipInstruction {
  /** A response, or a CANCEL: the transaction it belongs to. */
  txnId: string;
  /** A request inside a dialog: the dialog. */
  dialogId: string;
  /** A request outside a dialog: the next hop instead of the Request-URI. */
  proxy?: string;
}

/**
 * The tokens of an app's `sip` message.
 *
 * @param instruction - transaction, dialog, proxy
 * @returns the args
 */
export function sipInstructionArgs(instruction: SipInstruction): string[] {
  const args = [instruction.txnId, instruction.dialogId];
  if (instruction.proxy) args.push(instruction.proxy);
  return args;
}

/**
 * Reads the tokens of an app's `sip` message.
 *
 * @param args - the args after the type
 * @returns the instruction
 */
export function readSipInstruction(args: readonly string[]): SipInstruction {
  const [txnId = '', dialogId = '', proxy] = args;
  return proxy ? { txnId, dialogId, proxy } : { txnId, dialogId };
}
