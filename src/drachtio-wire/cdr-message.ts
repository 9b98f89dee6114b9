import type { MessageSource } from './sip-meta.js';

/** A call detail record as a drachtio-server sends it: `cdr:<type>|<source>|<time>[|<role or reason>]`. */
export interface CdrRecord {
  /** An INVITE arrived or left (`attempt`), was answered (`start`), or its call ended (`stop`). */
  type: 'attempt' | 'start' | 'stop';
  /** Who made the message the record is about. */
  source: MessageSource;
  /** `HH:MM:SS.uuuuuu`. */
  time: string;
  /** `start`: `uac`, `uas`, `proxy-uac`, `proxy-uas`. */
  role?: string;
  /** `stop`: `call-rejected`, `call-canceled`, `normal-release`, ... */
  reason?: string;
}

/**
 * The message type and tokens of a CDR.
 *
 * @param record - the record
 * @returns `cdr:<type>` and its args
 */
export function cdrArgs(record: CdrRecord): { type: string; args: string[] } {
  const args: string[] = [record.source, record.time];
  if (record.type === 'start') args.push(record.role ?? '');
  if (record.type === 'stop') args.push(record.reason ?? '');
  return { type: `cdr:${record.type}`, args };
}

/**
 * Reads a CDR message's type and tokens.
 *
 * @param type - `cdr:attempt`, `cdr:start` or `cdr:stop`
 * @param args - the args after the type
 * @returns the record, or undefined for another type
 */
export function readCdr(type: string, args: readonly string[]): CdrRecord | undefined {
  const kind = type.slice(4);
  if (!type.startsWith('cdr:') || (kind !== 'attempt' && kind !== 'start' && kind !== 'stop'))
    return undefined;
  const [source, time = '', extra] = args;
  const record: CdrRecord = {
    type: kind,
    source: source === 'application' ? 'application' : 'network',
    time,
  };
  if (kind === 'start') record.role = extra ?? '';
  if (kind === 'stop') record.reason = extra ?? '';
  return record;
}
