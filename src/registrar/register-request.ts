import { SipParseError } from '../sip/errors.js';
import { unquote } from '../sip/grammar.js';
import type { HeaderInit, SipRequest } from '../sip/message.js';
import type { NameAddr } from '../sip/name-addr.js';
import { bareHost, isSipUri, parseUri } from '../sip/uri.js';

/** A REGISTER the registrar will not carry out: the status and what goes with it. */
export interface Refusal {
  /** The status: 400, 403, 404, 423, 439, 500, 503. */
  status: number;
  /** A reason phrase saying what was wrong, when the standard one does not. */
  reason?: string;
  /** Headers of the refusal (Min-Expires, Retry-After). */
  headers?: HeaderInit;
}

/** One Contact of a REGISTER, read (RFC 3261 §10.3 step 7). */
export interface ContactRequest {
  /** Its URI. */
  uri: string;
  /** Seconds asked for: its `expires`, or the Expires header, or the default; capped at the maximum. */
  expires: number;
  /** Its `q`, when given. */
  q?: number;
  /** Its `+sip.instance`, unquoted. */
  instance?: string;
  /** Its `reg-id` (used only with `instance`: RFC 5626 §4.2). */
  regId?: number;
}

/** What a REGISTER asks for, once read and checked. */
export type RegisterPlan =
  /** No Contact: the current bindings are asked for (RFC 3261 §10.2.3). */
  | { kind: 'fetch'; aor: string }
  /** `Contact: *` with `Expires: 0`: every binding removed (§10.2.2). */
  | { kind: 'remove-all'; aor: string; callId: string; cseq: number }
  /** Contacts to add, refresh or (expires 0) remove. */
  | { kind: 'bind'; aor: string; callId: string; cseq: number; contacts: ContactRequest[] };

/** The limits a REGISTER is read against. */
export interface ExpiryRules {
  /** The domains the registrar keeps bindings for, lower case. */
  domains: ReadonlySet<string>;
  /** Shorter non-zero expiries get 423 (RFC 3261 §10.3 step 7). */
  minExpires: number;
  /** Longer ones are shortened to it. */
  maxExpires: number;
  /** When neither the Contact nor the request says. */
  defaultExpires: number;
}

/**
 * An address of record in canonical form (RFC 3261 §10.3 step 5): `sip:user@host`, the host in
 * lower case, without port, parameters or headers; `sips:` counts as `sip:`.
 *
 * @param uri - a To or Request-URI
 * @returns the AOR and its domain, or `undefined` for a URI that names no SIP user
 */
export function canonicalAor(uri: string): { aor: string; domain: string } | undefined {
  let parsed: ReturnType<typeof parseUri>;
  try {
    parsed = parseUri(uri);
  } catch {
    return undefined;
  }
  if (!isSipUri(parsed) || !parsed.user) return undefined;
  const domain = bareHost(parsed.host).toLowerCase();
  return { aor: `sip:${parsed.user}@${domain.includes(':') ? `[${domain}]` : domain}`, domain };
}

const bad = (reason: string): Refusal => ({ status: 400, reason });

// RFC 3261 §20.10: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

function readContact(contact: NameAddr, headerExpires: number | undefined, rules: ExpiryRules) {
  const p = contact.params;
  const out: ContactRequest = { uri: contact.uri, expires: 0 };
  let expires = headerExpires ?? rules.defaultExpires;
  if (p.expires !== undefined) {
    if (p.expires === null || !/^\d{1,10}$/.test(p.expires)) return bad('Bad Contact expires');
    expires = Number(p.expires);
  }
  out.expires = Math.min(expires, rules.maxExpires);
  if (p.q !== undefined) {
    if (p.q === null || !QVALUE.test(p.q)) return bad('Bad Contact q');
    out.q = Number(p.q);
  }
  const instance = p['+sip.instance'];
  if (instance !== undefined) {
    if (instance === null || instance === '' || instance === '""') return bad('Bad Contact +sip.instance');
    out.instance = instance.startsWith('"') ? unquote(instance) : instance;
  }
  const regId = p['reg-id'];
  if (regId !== undefined) {
    if (regId === null || !/^\d{1,10}$/.test(regId) || Number(regId) < 1 || Number(regId) > 2 ** 31 - 1)
      return bad('Bad Contact reg-id');
    // RFC 5626 §4.2: reg-id means nothing without +sip.instance.
    if (out.instance !== undefined) out.regId = Number(regId);
  }
  return out;
}

/**
 * Reads a REGISTER (RFC 3261 §10.3 steps 5-7, RFC 5626 §6): the address of record from To (404
 * outside the registrar's domains), the Contacts with their expiries, `q`, `+sip.instance` and
 * `reg-id` (400 when one does not parse), `*` alone with `Expires: 0` (400 otherwise), a
 * non-zero expiry under the minimum (423 with Min-Expires), an outbound registration through a
 * proxy without Path (439).
 *
 * @param req - the REGISTER
 * @param rules - domains and expiry limits
 * @returns what it asks for, or why it is refused
 */
export function readRegister(req: SipRequest, rules: ExpiryRules): RegisterPlan | Refusal {
  let to: NameAddr | undefined;
  let headerExpires: number | undefined;
  let cseq: number;
  try {
    to = req.getParsedHeader('to');
    headerExpires = req.getParsedHeader('expires');
    cseq = req.cseq.seq;
  } catch (err) {
    return bad(err instanceof SipParseError ? err.reason : 'Bad Request');
  }
  const named = to && canonicalAor(to.uri);
  if (!named) return { status: 404, reason: 'Not Found (To names no SIP user)' };
  if (!rules.domains.has(named.domain))
    return { status: 404, reason: `Not Found (${named.domain} is not ours)` };
  const { aor } = named;
  const lines = req.getAll('contact');
  if (lines.length === 0) return { kind: 'fetch', aor };
  const star = lines.some((l) => l.trim() === '*');
  if (star) {
    // RFC 3261 §10.3 step 6.
    if (lines.length > 1 || lines.some((l) => l.trim() !== '*')) return bad('Contact * Must Be Alone');
    if (headerExpires !== 0) return bad('Contact * Needs Expires 0');
    return { kind: 'remove-all', aor, callId: req.callId, cseq };
  }
  let contacts: NameAddr[];
  try {
    const parsed = req.getParsedHeader('contact');
    if (!Array.isArray(parsed)) return bad('Contact * Must Be Alone');
    contacts = parsed;
  } catch (err) {
    return bad(err instanceof SipParseError ? `Bad Contact: ${err.reason}` : 'Bad Contact');
  }
  const read: ContactRequest[] = [];
  for (const contact of contacts) {
    const one = readContact(contact, headerExpires, rules);
    if ('status' in one) return one;
    if (one.expires > 0 && one.expires < rules.minExpires)
      return { status: 423, headers: { 'Min-Expires': rules.minExpires } };
    read.push(one);
  }
  const outbound = read.filter((c) => c.regId !== undefined);
  if (outbound.length > 0) {
    const keys = new Set(outbound.map((c) => `${c.instance} ${c.regId}`));
    if (keys.size !== outbound.length) return bad('Duplicate reg-id');
    // RFC 5626 §6: an outbound REGISTER that came through a proxy needs its Path ;ob.
    const vias = req.getAll('via').flatMap((v) => v.split(','));
    if (vias.length > 1 && !req.getAll('path').some((p) => /;\s*ob\b/i.test(p))) return { status: 439 };
  }
  return { kind: 'bind', aor, callId: req.callId, cseq, contacts: read };
}

/**
 * Whether `readRegister` refused the request.
 *
 * @param value - what it returned
 * @returns true for a refusal
 */
export function isRefusal(value: RegisterPlan | Refusal): value is Refusal {
  return 'status' in value;
}
