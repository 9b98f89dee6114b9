import { uriEquals } from '../sip/uri-compare.js';
import type { Endpoint } from '../transport/types.js';
import type { Binding } from './binding.js';
import type { ContactRequest, Refusal, RegisterPlan } from './register-request.js';

/** What the registrar knows of a REGISTER beyond its plan: where it came from, and when. */
export interface RegisterContext {
  /** The store's clock, ms. */
  now: number;
  /** This registrar node's id. */
  node: string;
  /** The connection the REGISTER came over, when a stream. */
  flowId: string | undefined;
  /** Where it came from. */
  source: Endpoint;
  /** Its User-Agent. */
  userAgent: string | undefined;
  /** The most bindings one AOR may have. */
  maxContacts: number;
}

/** The new bindings of an AOR, or why the REGISTER fails. */
export type RegisterOutcome = { bindings: Binding[] } | { refusal: Refusal };

// RFC 3261 §10.3 step 7 says the update fails; it names no status. 400: the request is stale.
const OUT_OF_ORDER: Refusal = { status: 400, reason: 'CSeq Out Of Order' };

function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return uriEquals(a, b);
  } catch {
    return false;
  }
}

/**
 * The binding a Contact refreshes: by `+sip.instance` and `reg-id` for an outbound one
 * (RFC 5626 §6), by `+sip.instance` alone for one without `reg-id` (RFC 5627 §4), by URI
 * comparison (RFC 3261 §19.1.4) otherwise.
 */
function matches(binding: Binding, contact: ContactRequest): boolean {
  if (contact.instance !== undefined)
    return binding.instance === contact.instance && binding.regId === contact.regId;
  return binding.instance === undefined && sameUri(binding.contact, contact.uri);
}

function bindingOf(
  contact: ContactRequest,
  plan: { callId: string; cseq: number },
  ctx: RegisterContext,
): Binding {
  const binding: Binding = {
    contact: contact.uri,
    expiresAt: ctx.now + contact.expires * 1000,
    updatedAt: ctx.now,
    callId: plan.callId,
    cseq: plan.cseq,
    node: ctx.node,
    source: { protocol: ctx.source.protocol, address: ctx.source.address, port: ctx.source.port },
  };
  if (contact.q !== undefined) binding.q = contact.q;
  if (contact.instance !== undefined) binding.instance = contact.instance;
  if (contact.regId !== undefined) binding.regId = contact.regId;
  if (ctx.flowId !== undefined) binding.flowId = ctx.flowId;
  if (ctx.userAgent !== undefined) binding.userAgent = ctx.userAgent;
  return binding;
}

/**
 * RFC 3261 §10.3 steps 6 and 7 over an AOR's current bindings: `*` removes them all, each
 * Contact adds, refreshes or (expires 0) removes its binding; a request whose CSeq is not
 * higher than a binding's of the same Call-ID fails; more than `maxContacts` bindings are
 * refused (403). Pure: a store may run it again on a fresher read.
 *
 * @param current - the AOR's unexpired bindings
 * @param plan - what the REGISTER asks
 * @param ctx - clock, node, flow, source, limit
 * @returns the bindings to store, or the refusal
 */
export function applyRegister(
  current: readonly Binding[],
  plan: Exclude<RegisterPlan, { kind: 'fetch' }>,
  ctx: RegisterContext,
): RegisterOutcome {
  if (plan.kind === 'remove-all') {
    if (current.some((b) => b.callId === plan.callId && plan.cseq <= b.cseq))
      return { refusal: OUT_OF_ORDER };
    return { bindings: [] };
  }
  let next = [...current];
  // A Contact listed twice in one request: the later one wins, with no CSeq to compare.
  const made = new Set<Binding>();
  for (const contact of plan.contacts) {
    const existing = next.find((b) => matches(b, contact));
    if (existing && !made.has(existing) && existing.callId === plan.callId && plan.cseq <= existing.cseq)
      return { refusal: OUT_OF_ORDER };
    if (existing) next = next.filter((b) => b !== existing);
    if (contact.expires > 0) {
      const binding = bindingOf(contact, plan, ctx);
      made.add(binding);
      next.push(binding);
    }
  }
  if (next.length > ctx.maxContacts && next.length > current.length)
    return { refusal: { status: 403, reason: `Too Many Contacts (at most ${ctx.maxContacts})` } };
  return { bindings: next };
}
