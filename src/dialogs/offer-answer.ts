import { match } from 'ts-pattern';

/**
 * What carries an offer (RFC 3264 §4, RFC 6337 §2): the INVITE or re-INVITE, its 2xx when the
 * INVITE had none (the answer then comes in the ACK), an UPDATE (RFC 3311), or a PRACK or a
 * reliable provisional response (RFC 3262).
 */
export type OfferCarrier = 'invite' | '2xx' | 'update' | 'prack' | 'reliable-1xx';

/**
 * The offer/answer state of a session (RFC 6337 §2.2's three states): no offer outstanding,
 * our offer waiting for its answer, or the peer's offer waiting for ours.
 */
export type OfferAnswerState =
  | { readonly kind: 'stable' }
  | { readonly kind: 'offer-sent'; readonly carrier: OfferCarrier }
  | { readonly kind: 'offer-received'; readonly carrier: OfferCarrier };

/** What happens to the session's offers and answers. */
export type OfferAnswerEvent =
  | { readonly kind: 'send-offer'; readonly carrier: OfferCarrier }
  | { readonly kind: 'receive-offer'; readonly carrier: OfferCarrier }
  | { readonly kind: 'send-answer' }
  | { readonly kind: 'receive-answer' }
  /** The request that carried our offer failed (a non-2xx final): the offer is void (RFC 3261 §14.1). */
  | { readonly kind: 'offer-rejected' }
  /** We refused the request that carried the peer's offer: the offer is void. */
  | { readonly kind: 'offer-refused' };

/**
 * Why an event cannot happen in a state:
 * - `glare`: an offer meets ours (answer 491, RFC 3261 §14.2, RFC 3311 §5.2);
 * - `answer-owed`: an offer while we still owe the answer to the peer's (answer 500 with
 *   Retry-After, RFC 3311 §5.2; locally, no offer can be made);
 * - `offer-outstanding`: a second offer of ours before the first is answered;
 * - `no-offer`: an answer, or the end of an offer, with no offer outstanding that way.
 */
export type OfferAnswerRefusal = 'glare' | 'answer-owed' | 'offer-outstanding' | 'no-offer';

/** The outcome of an event: the next state, or why the event is refused (the state stays). */
export type OfferAnswerTransition =
  | { readonly ok: true; readonly state: OfferAnswerState }
  | { readonly ok: false; readonly refusal: OfferAnswerRefusal };

/** The state of a session with no offer outstanding. */
export const STABLE: OfferAnswerState = { kind: 'stable' };

const to = (state: OfferAnswerState): OfferAnswerTransition => ({ ok: true, state });
const refuse = (refusal: OfferAnswerRefusal): OfferAnswerTransition => ({ ok: false, refusal });

/**
 * The offer/answer state machine (RFC 3264 §4, RFC 6337 §2.2), pure: the next state for an
 * event, or why the event is refused. Every state and event is handled; ts-pattern checks it.
 *
 * @param state - the session's offer/answer state
 * @param event - what is sent or received
 * @returns the next state, or the refusal
 * @example
 * ```ts
 * import { offerAnswer, STABLE } from 'rxsip';
 *
 * const t = offerAnswer(STABLE, { kind: 'receive-offer', carrier: 'update' });
 * // { ok: true, state: { kind: 'offer-received', carrier: 'update' } }
 * if (t.ok) console.log(t.state.kind);
 * else console.log(`refused: ${t.refusal}`); // answer 491 or 500 as RFC 3311 §5.2 says
 * ```
 */
export function offerAnswer(state: OfferAnswerState, event: OfferAnswerEvent): OfferAnswerTransition {
  return match([state, event] as const)
    .with([{ kind: 'stable' }, { kind: 'send-offer' }], ([, e]) =>
      to({ kind: 'offer-sent', carrier: e.carrier }),
    )
    .with([{ kind: 'stable' }, { kind: 'receive-offer' }], ([, e]) =>
      to({ kind: 'offer-received', carrier: e.carrier }),
    )
    .with(
      [{ kind: 'stable' }, { kind: 'send-answer' }],
      [{ kind: 'stable' }, { kind: 'receive-answer' }],
      [{ kind: 'stable' }, { kind: 'offer-rejected' }],
      [{ kind: 'stable' }, { kind: 'offer-refused' }],
      () => refuse('no-offer'),
    )
    .with([{ kind: 'offer-sent' }, { kind: 'send-offer' }], () => refuse('offer-outstanding'))
    .with([{ kind: 'offer-sent' }, { kind: 'receive-offer' }], () => refuse('glare'))
    .with(
      [{ kind: 'offer-sent' }, { kind: 'receive-answer' }],
      [{ kind: 'offer-sent' }, { kind: 'offer-rejected' }],
      () => to(STABLE),
    )
    .with(
      [{ kind: 'offer-sent' }, { kind: 'send-answer' }],
      [{ kind: 'offer-sent' }, { kind: 'offer-refused' }],
      () => refuse('no-offer'),
    )
    .with(
      [{ kind: 'offer-received' }, { kind: 'send-offer' }],
      [{ kind: 'offer-received' }, { kind: 'receive-offer' }],
      () => refuse('answer-owed'),
    )
    .with(
      [{ kind: 'offer-received' }, { kind: 'send-answer' }],
      [{ kind: 'offer-received' }, { kind: 'offer-refused' }],
      () => to(STABLE),
    )
    .with(
      [{ kind: 'offer-received' }, { kind: 'receive-answer' }],
      [{ kind: 'offer-received' }, { kind: 'offer-rejected' }],
      () => refuse('no-offer'),
    )
    .exhaustive();
}
