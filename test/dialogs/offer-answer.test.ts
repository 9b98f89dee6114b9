import { describe, expect, it } from 'vitest';
import {
  type OfferAnswerEvent,
  type OfferAnswerState,
  offerAnswer,
  STABLE,
} from '../../src/dialogs/offer-answer.js';

const SENT: OfferAnswerState = { kind: 'offer-sent', carrier: 'invite' };
const RECEIVED: OfferAnswerState = { kind: 'offer-received', carrier: 'update' };

const EVENTS: Record<string, OfferAnswerEvent> = {
  'send-offer': { kind: 'send-offer', carrier: 'update' },
  'receive-offer': { kind: 'receive-offer', carrier: 'invite' },
  'send-answer': { kind: 'send-answer' },
  'receive-answer': { kind: 'receive-answer' },
  'offer-rejected': { kind: 'offer-rejected' },
  'offer-refused': { kind: 'offer-refused' },
};

// Every state against every event: the next state, or the refusal (RFC 3264 §4, RFC 3311 §5.2,
// RFC 3261 §14, RFC 6337 §2.2).
const TABLE: Array<[OfferAnswerState, string, OfferAnswerState | string]> = [
  [STABLE, 'send-offer', { kind: 'offer-sent', carrier: 'update' }],
  [STABLE, 'receive-offer', { kind: 'offer-received', carrier: 'invite' }],
  [STABLE, 'send-answer', 'no-offer'],
  [STABLE, 'receive-answer', 'no-offer'],
  [STABLE, 'offer-rejected', 'no-offer'],
  [STABLE, 'offer-refused', 'no-offer'],
  [SENT, 'send-offer', 'offer-outstanding'],
  [SENT, 'receive-offer', 'glare'],
  [SENT, 'send-answer', 'no-offer'],
  [SENT, 'receive-answer', STABLE],
  [SENT, 'offer-rejected', STABLE],
  [SENT, 'offer-refused', 'no-offer'],
  [RECEIVED, 'send-offer', 'answer-owed'],
  [RECEIVED, 'receive-offer', 'answer-owed'],
  [RECEIVED, 'send-answer', STABLE],
  [RECEIVED, 'receive-answer', 'no-offer'],
  [RECEIVED, 'offer-rejected', 'no-offer'],
  [RECEIVED, 'offer-refused', STABLE],
];

describe('the offer/answer state machine (RFC 3264, RFC 6337)', () => {
  it('covers every state and every event', () => {
    expect(TABLE).toHaveLength(3 * Object.keys(EVENTS).length);
  });

  it.each(TABLE)('%o + %s → %o', (state, event, outcome) => {
    const t = offerAnswer(state, EVENTS[event] as OfferAnswerEvent);
    if (typeof outcome === 'string') expect(t).toEqual({ ok: false, refusal: outcome });
    else expect(t).toEqual({ ok: true, state: outcome });
  });

  it('walks a late offer: our 2xx offers, the ACK answers, then a re-INVITE meets glare', () => {
    let state = STABLE;
    for (const event of [
      { kind: 'send-offer', carrier: '2xx' },
      { kind: 'receive-answer' },
      { kind: 'send-offer', carrier: 'invite' },
    ] as OfferAnswerEvent[]) {
      const t = offerAnswer(state, event);
      if (!t.ok) throw new Error(t.refusal);
      state = t.state;
    }
    expect(offerAnswer(state, { kind: 'receive-offer', carrier: 'invite' })).toEqual({
      ok: false,
      refusal: 'glare',
    });
  });
});
