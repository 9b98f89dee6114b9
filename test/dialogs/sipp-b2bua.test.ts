import { catchError, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { b2bua, b2bua$, type Dialog, type DialogEnd, SipError, type Srf, tieLegs } from '../../src/index.js';
import {
  callIdOf,
  cleanTraces,
  expectCalleeHangsUp,
  expectCallerHangsUp,
  sippParties,
  values,
} from '../support/sipp-parties.js';
import {
  all,
  branchOf,
  cseqOf,
  expectNotBefore,
  find,
  header,
  ladder,
  tagOf,
  type Wire,
} from '../support/sipp-trace.js';

// The B2BUA between two SIPp instances on 127.0.0.1 over UDP: a SIPp caller (A) calls rxsip,
// which bridges the call to a SIPp callee (B) with a scenario per role from test/sipp/b2bua-*.xml.
// Each test checks both legs as SIPp saw them (its checks, success count, error log, the message
// ladder and headers) and what rxsip's API emitted (the legs, their ends, the errors).

const { rxsip, callee, caller } = sippParties();

interface Legs {
  uas: Dialog;
  uac: Dialog;
}

/** rxsip as `srf.invite$.pipe(b2bua(target, options), tieLegs())`. */
function bridge(srf: Srf, target: string, options: Parameters<typeof b2bua>[1] = {}) {
  const legs: Legs[] = [];
  const ends: { uas: DialogEnd[]; uac: DialogEnd[] } = { uas: [], uac: [] };
  srf.invite$.pipe(b2bua(target, options), tieLegs()).subscribe((l) => {
    legs.push(l);
    l.uas.ended$.subscribe((end) => ends.uas.push(end));
    l.uac.ended$.subscribe((end) => ends.uac.push(end));
  });
  return { legs, ends };
}

/** The two legs are two dialogs: nothing of A's dialog identifiers reaches B. */
function expectSeparateLegs(a: Wire[], b: Wire[]): void {
  const inviteA = find(a, 'sipp', 'INVITE');
  const inviteB = find(b, 'rxsip', 'INVITE');
  expect(callIdOf(inviteB)).not.toBe(callIdOf(inviteA));
  expect(tagOf(header(inviteB, 'from'))).not.toBe(tagOf(header(inviteA, 'from')));
  expect(values(inviteB, 'via')).toHaveLength(1);
  expect(header(inviteB, 'contact')).not.toBe(header(inviteA, 'contact'));
}

describe('B2BUA against SIPp: SIPp caller → rxsip → SIPp callee', () => {
  it('A hangs up: its BYE is answered 200 and B gets a BYE in its own dialog (tieLegs)', async () => {
    const { srf, port } = await rxsip();
    const b = await callee('b2bua-callee-answers');
    const { legs, ends } = bridge(srf, b.uri);
    const a = await caller('b2bua-caller-hangs-up', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expectCallerHangsUp(wireA, wireB);
    expectSeparateLegs(wireA, wireB);
    const inviteB = find(wireB, 'rxsip', 'INVITE');
    expect(inviteB.uri).toBe(b.uri);
    expect(inviteB.body).toBe(find(wireA, 'sipp', 'INVITE').body);
    expect(find(wireA, 'rxsip', '200 INVITE').body).toBe(find(wireB, 'sipp', '200 INVITE').body);
    expect(header(find(wireA, 'rxsip', '200 INVITE'), 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    // B's BYE: in B's dialog (its To tag, B's Contact), after A's BYE.
    const byeB = find(wireB, 'rxsip', 'BYE');
    expect(byeB.uri).toBe(`sip:sipp@127.0.0.1:${b.port};transport=UDP`);
    expect(tagOf(header(byeB, 'to'))).toBe(tagOf(header(find(wireB, 'sipp', '200 INVITE'), 'to')));
    expect(callIdOf(byeB)).toBe(callIdOf(inviteB));
    expect(cseqOf(byeB).seq).toBeGreaterThan(cseqOf(inviteB).seq);
    expectNotBefore(byeB, find(wireA, 'sipp', 'BYE'));

    expect(legs).toHaveLength(1);
    expect(legs[0]?.uas.remote.sdp).toBe(find(wireA, 'sipp', 'INVITE').body);
    expect(legs[0]?.uac.remote.sdp).toBe(find(wireB, 'sipp', '200 INVITE').body);
    expect(ends.uas).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'remote' })]);
    expect(ends.uac).toEqual([expect.objectContaining({ initiator: 'local' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it('B hangs up: its BYE is answered 200 and A gets a BYE in its own dialog (tieLegs)', async () => {
    const { srf, port } = await rxsip();
    const b = await callee('b2bua-callee-hangs-up');
    const { legs, ends } = bridge(srf, b.uri);
    const a = await caller('b2bua-caller-hung-up-on', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expectCalleeHangsUp(wireA, wireB);
    expectSeparateLegs(wireA, wireB);
    // A's BYE: to A's Contact, From/To of A's dialog swapped (RFC 3261 §12.2.1.1).
    const byeA = find(wireA, 'rxsip', 'BYE');
    const inviteA = find(wireA, 'sipp', 'INVITE');
    const okA = find(wireA, 'rxsip', '200 INVITE');
    expect(byeA.uri).toBe(`sip:sipp@127.0.0.1:${a.port};transport=UDP`);
    expect(callIdOf(byeA)).toBe(callIdOf(inviteA));
    expect(tagOf(header(byeA, 'to'))).toBe(tagOf(header(inviteA, 'from')));
    expect(tagOf(header(byeA, 'from'))).toBe(tagOf(header(okA, 'to')));
    expectNotBefore(byeA, find(wireB, 'sipp', 'BYE'));

    expect(legs).toHaveLength(1);
    expect(ends.uac).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'remote' })]);
    expect(ends.uas).toEqual([expect.objectContaining({ initiator: 'local' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it("A's CANCEL reaches B with A's Reason; A gets 200 and 487, B answers 487, which rxsip ACKs", async () => {
    const { srf, port } = await rxsip();
    const b = await callee('b2bua-cancel-callee');
    const outcome = new Promise<unknown>((resolve) =>
      srf.invite((req, res) => void srf.createB2BUA(req, res, b.uri).then(resolve, resolve)),
    );
    const a = await caller('b2bua-cancel-caller', port);
    const resultB = await b.done;
    const error = await outcome;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expect(ladder(wireA)).toEqual([
      'sipp INVITE',
      'rxsip 180 INVITE',
      'sipp CANCEL',
      'rxsip 200 CANCEL',
      'rxsip 487 INVITE',
      'sipp ACK',
    ]);
    expect(ladder(wireB)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'rxsip CANCEL',
      'sipp 200 CANCEL',
      'sipp 487 INVITE',
      'rxsip ACK',
    ]);
    const inviteB = find(wireB, 'rxsip', 'INVITE');
    const cancelB = find(wireB, 'rxsip', 'CANCEL');
    expect(header(cancelB, 'reason')).toBe(header(find(wireA, 'sipp', 'CANCEL'), 'reason'));
    expect(header(cancelB, 'reason')).toBe('SIP;cause=480;text="Caller gave up"');
    // RFC 3261 §9.1: the CANCEL matches B's INVITE; §17.1.1.3: the 487's ACK is in its transaction.
    expect(cancelB.uri).toBe(inviteB.uri);
    expect(branchOf(cancelB)).toBe(branchOf(inviteB));
    expect(cseqOf(cancelB)).toEqual({ seq: cseqOf(inviteB).seq, method: 'CANCEL' });
    const ackB = find(wireB, 'rxsip', 'ACK');
    expect(branchOf(ackB)).toBe(branchOf(inviteB));
    expect(tagOf(header(ackB, 'to'))).toBe(tagOf(header(find(wireB, 'sipp', '487 INVITE'), 'to')));
    expectNotBefore(cancelB, find(wireA, 'sipp', 'CANCEL'));

    expect(error).toBeInstanceOf(SipError);
    expect(error).toMatchObject({ status: 487 });
    expect(srf.dialogCount).toBe(0);
  });

  it("B's 404 is passed to A (passFailure), with B's header; createB2BUA rejects with SipError 404", async () => {
    const { srf, port } = await rxsip();
    const b = await callee('b2bua-callee-404');
    const outcome = new Promise<unknown>((resolve) =>
      srf.invite(
        (req, res) =>
          void srf
            .createB2BUA(req, res, b.uri, { proxyResponseHeaders: ['X-Reject-Cause'] })
            .then(resolve, resolve),
      ),
    );
    const a = await caller('b2bua-rejected-caller', port);
    const resultB = await b.done;
    const error = await outcome;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expect(ladder(wireA)).toEqual(['sipp INVITE', 'rxsip 404 INVITE', 'sipp ACK']);
    expect(ladder(wireB)).toEqual(['rxsip INVITE', 'sipp 404 INVITE', 'rxsip ACK']);
    const notFound = find(wireA, 'rxsip', '404 INVITE');
    expect(notFound.raw).toMatch(/^SIP\/2\.0 404 Not Found\r?\n/);
    expect(header(notFound, 'x-reject-cause')).toBe('no-such-user');
    expect(branchOf(find(wireB, 'rxsip', 'ACK'))).toBe(branchOf(find(wireB, 'rxsip', 'INVITE')));

    expect(error).toBeInstanceOf(SipError);
    expect(error).toMatchObject({ status: 404, reason: 'Not Found' });
    expect((error as SipError).res?.get('x-reject-cause')).toBe('no-such-user');
    expect(srf.dialogCount).toBe(0);
  });

  it('passFailure: false and catchError: B1 answers 404, A never sees it, B2 answers and the call is bridged', async () => {
    const { srf, port } = await rxsip();
    const b1 = await callee('b2bua-callee-404');
    const b2 = await callee('b2bua-callee-answers');
    const errors: unknown[] = [];
    const legs: Legs[] = [];
    srf.invite$
      .pipe(
        mergeMap((call) =>
          b2bua$(call, b1.uri, { passFailure: false }).pipe(
            catchError((err: unknown) => {
              errors.push(err);
              return b2bua$(call, b2.uri);
            }),
          ),
        ),
        tieLegs(),
      )
      .subscribe((l) => legs.push(l));
    const a = await caller('b2bua-caller-hangs-up', port);
    const [result1, result2] = await Promise.all([b1.done, b2.done]);

    const [wireA, wire1, wire2] = cleanTraces(a, result1, result2);
    expectCallerHangsUp(wireA, wire2);
    expect(ladder(wire1)).toEqual(['rxsip INVITE', 'sipp 404 INVITE', 'rxsip ACK']);
    const [invite1, invite2] = [find(wire1, 'rxsip', 'INVITE'), find(wire2, 'rxsip', 'INVITE')];
    expect(invite2.uri).toBe(b2.uri);
    expect(invite2.body).toBe(find(wireA, 'sipp', 'INVITE').body);
    expectNotBefore(invite2, find(wire1, 'sipp', '404 INVITE'));
    expect(branchOf(invite2)).not.toBe(branchOf(invite1));
    expect(find(wireA, 'rxsip', '200 INVITE').body).toBe(find(wire2, 'sipp', '200 INVITE').body);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SipError);
    expect(errors[0]).toMatchObject({ status: 404 });
    expect(legs).toHaveLength(1);
    expect(legs[0]?.uac.remote.uri).toBe(`sip:sipp@127.0.0.1:${b2.port};transport=UDP`);
    expect(srf.dialogCount).toBe(0);
  });

  it("copies headers each way: A's to B but X-Foo, B's to A but X-Foo, and rxsip's own on A's responses", async () => {
    const { srf, port } = await rxsip();
    const b = await callee('b2bua-headers-callee');
    bridge(srf, b.uri, {
      proxyRequestHeaders: ['all', '-X-Foo'],
      proxyResponseHeaders: ['all', '-X-Foo'],
      responseHeaders: { 'X-B2bua': 'rxsip' },
    });
    const a = await caller('b2bua-headers-caller', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expect(ladder(wireA)).toEqual([
      'sipp INVITE',
      'rxsip 180 INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    // A → B: every header but X-Foo and those of A's own leg.
    const inviteB = find(wireB, 'rxsip', 'INVITE');
    expect(header(inviteB, 'x-account')).toBe('42');
    expect(header(inviteB, 'subject')).toBe('quarterly numbers');
    expect(header(inviteB, 'user-agent')).toBe('sipp-caller');
    expect(header(inviteB, 'x-foo')).toBeUndefined();
    expect(values(inviteB, 'x-account')).toEqual(['42']);
    expectSeparateLegs(wireA, wireB);
    expect(header(inviteB, 'max-forwards')).toBe('70');
    // B → A: X-Callee and Server, never X-Foo, and rxsip's X-B2bua, on the 180 and the 200.
    for (const [response, callee] of [
      ['180 INVITE', 'callee-ringing'],
      ['200 INVITE', 'callee-answered'],
    ] as const) {
      const toA = find(wireA, 'rxsip', response);
      expect(header(toA, 'x-callee')).toBe(callee);
      expect(header(toA, 'x-b2bua')).toBe('rxsip');
      expect(header(toA, 'x-foo')).toBeUndefined();
      expect(values(toA, 'x-b2bua')).toEqual(['rxsip']);
      expect(values(toA, 'via')).toHaveLength(1);
      expect(branchOf(toA)).toBe(branchOf(find(wireA, 'sipp', 'INVITE')));
      expect(header(toA, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    }
    expect(header(find(wireA, 'rxsip', '200 INVITE'), 'server')).toBe('sipp-callee');
    // Nothing of the request's headers leaks into the in-dialog requests.
    expect(header(find(wireB, 'rxsip', 'BYE'), 'x-account')).toBeUndefined();
  });

  it('100rel end to end: A gets a reliable 183 from rxsip and PRACKs it; rxsip then PRACKs B; 200s and ACKs', async () => {
    const { srf, port } = await rxsip();
    const b = await callee('b2bua-100rel-callee');
    const { legs } = bridge(srf, b.uri);
    const a = await caller('b2bua-100rel-caller', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expect(ladder(wireA)).toEqual([
      'sipp INVITE',
      'rxsip 183 INVITE',
      'sipp PRACK',
      'rxsip 200 PRACK',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(ladder(wireB)).toEqual([
      'rxsip INVITE',
      'sipp 183 INVITE',
      'rxsip PRACK',
      'sipp 200 PRACK',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    // rxsip's own reliable 183 to A (RFC 3262 §3): Require, its RSeq, B's early SDP.
    const early = find(wireA, 'rxsip', '183 INVITE');
    expect(header(early, 'require')).toBe('100rel');
    expect(header(early, 'rseq')).toMatch(/^\d+$/);
    expect(header(early, 'content-type')).toBe('application/sdp');
    expect(early.body).toBe(find(wireB, 'sipp', '183 INVITE').body);
    expect(tagOf(header(early, 'to'))).toBe(tagOf(header(find(wireA, 'rxsip', '200 INVITE'), 'to')));
    expect(header(find(wireA, 'sipp', 'PRACK'), 'rack')).toBe(`${header(early, 'rseq')} 1 INVITE`);
    // B's PRACK answers B's 183 (RAck 4711, checked by SIPp), and only after A's PRACK.
    const prackB = find(wireB, 'rxsip', 'PRACK');
    const inviteB = find(wireB, 'rxsip', 'INVITE');
    expect(header(prackB, 'rack')).toBe(`4711 ${cseqOf(inviteB).seq} INVITE`);
    expect(cseqOf(prackB).seq).toBe(cseqOf(inviteB).seq + 1);
    expectNotBefore(prackB, find(wireA, 'sipp', 'PRACK'));
    expect(all(wireB, 'rxsip', 'PRACK')).toHaveLength(1);

    expect(legs).toHaveLength(1);
    expect(legs[0]?.uac.remote.sdp).toBe(find(wireB, 'sipp', '200 INVITE').body);
    expect(srf.dialogCount).toBe(0);
  });

  it("late offer: B's offer in its 200 reaches A in rxsip's 200; A's answer in its ACK reaches B in rxsip's ACK", async () => {
    const { srf, port } = await rxsip();
    const b = await callee('b2bua-late-offer-callee');
    const { legs } = bridge(srf, b.uri);
    const a = await caller('b2bua-late-offer-caller', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expect(ladder(wireA)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(ladder(wireB)).toEqual([
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const offer = find(wireB, 'sipp', '200 INVITE').body;
    const answer = find(wireA, 'sipp', 'ACK').body;
    expect(offer).toContain('s=sipp-callee-offer');
    expect(answer).toContain('s=sipp-caller-answer');
    expect(find(wireB, 'rxsip', 'INVITE').body).toBe('');
    expect(find(wireA, 'rxsip', '200 INVITE').body).toBe(offer);
    expect(header(find(wireA, 'rxsip', '200 INVITE'), 'content-type')).toBe('application/sdp');
    const ackB = find(wireB, 'rxsip', 'ACK');
    expect(ackB.body).toBe(answer);
    expect(header(ackB, 'content-type')).toBe('application/sdp');
    expectNotBefore(ackB, find(wireA, 'sipp', 'ACK'));

    expect(legs).toHaveLength(1);
    expect(legs[0]?.uac.remote.sdp).toBe(offer);
    expect(legs[0]?.uas.remote.sdp).toBe(answer);
    expect(srf.dialogCount).toBe(0);
  });
});
