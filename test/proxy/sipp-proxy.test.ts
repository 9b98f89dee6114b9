import { describe, expect, it } from 'vitest';
import type { Srf } from '../../src/drachtio.js';
import { type ProxyOptions, type ProxyResult, proxy } from '../../src/index.js';
import {
  callIdOf,
  cleanTraces,
  expectCalleeHangsUp,
  expectCallerHangsUp,
  sentBy,
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

// The stateful proxy (RFC 3261 §16) between SIPp instances on 127.0.0.1 over UDP: a SIPp caller
// calls through rxsip, which Record-Routes and forwards to SIPp callees (scenarios per role in
// test/sipp/proxy-*.xml). Each test checks what the caller and each callee saw (SIPp's checks,
// success counts, error logs, ladders, Via/Route/Record-Route) and the ProxyResult rxsip emitted.

const { rxsip, callee, caller } = sippParties();

/** rxsip as `srf.invite$.pipe(proxy(targets, {recordRoute: true, ...}))`. */
function proxyCalls(srf: Srf, targets: string | string[], options: ProxyOptions = {}): ProxyResult[] {
  const results: ProxyResult[] = [];
  srf.invite$.pipe(proxy(targets, { recordRoute: true, ...options })).subscribe((r) => results.push(r));
  return results;
}

/** `<status>...` of each branch of a ProxyResult, by the port it was sent to. */
function branches(result: ProxyResult | undefined): Array<[number, number[]]> {
  return (result?.responses ?? []).map((r) => [r.port, r.msgs.map((m) => m.status)]);
}

/**
 * A request as the callee got it from rxsip: rxsip's Via on top of the caller's (so it came
 * through rxsip's port), rxsip's own Route gone, Max-Forwards down by one.
 */
function expectForwarded(atCallee: Wire, fromCaller: Wire, rxsipPort: number): void {
  const vias = values(atCallee, 'via');
  expect(vias).toHaveLength(values(fromCaller, 'via').length + 1);
  expect(sentBy(vias[0])).toBe(`127.0.0.1:${rxsipPort}`);
  expect(/;\s*branch=([^;\s]+)/i.exec(vias[1] ?? '')?.[1]).toBe(branchOf(fromCaller));
  expect(header(atCallee, 'route')).toBeUndefined();
  expect(Number(header(atCallee, 'max-forwards'))).toBe(Number(header(fromCaller, 'max-forwards')) - 1);
  expect(atCallee.uri).toBe(fromCaller.uri);
  expect(callIdOf(atCallee)).toBe(callIdOf(fromCaller));
  expect(cseqOf(atCallee)).toEqual(cseqOf(fromCaller));
}

/** The Route set the caller's in-dialog requests must carry: rxsip's Record-Route, nothing else. */
function expectRoutedThroughRxsip(request: Wire, rxsipPort: number): void {
  expect(values(request, 'route')).toEqual([`<sip:127.0.0.1:${rxsipPort};lr>`]);
}

describe('stateful proxy against SIPp: SIPp caller → rxsip → SIPp callee(s)', () => {
  it('Record-Route: the INVITE, then the ACK and the caller’s BYE, all go through rxsip', async () => {
    const { srf, port } = await rxsip();
    const b = await callee('proxy-callee-answers');
    const results = proxyCalls(srf, b.address);
    const a = await caller('proxy-caller-hangs-up', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expectCallerHangsUp(wireA, wireB);
    const inviteA = find(wireA, 'sipp', 'INVITE');
    const inviteB = find(wireB, 'rxsip', 'INVITE');
    // RFC 3261 §16.6: the Request-URI's host is the target's; Record-Route names rxsip; one Via more.
    expect(inviteB.uri).toBe(`sip:bob@127.0.0.1:${b.port}`);
    expect(values(inviteB, 'record-route')).toEqual([`<sip:127.0.0.1:${port};lr>`]);
    expect(values(inviteB, 'via')).toHaveLength(2);
    expect(sentBy(values(inviteB, 'via')[0])).toBe(`127.0.0.1:${port}`);
    expect(header(inviteB, 'max-forwards')).toBe('69');
    expect(callIdOf(inviteB)).toBe(callIdOf(inviteA));
    expect(inviteB.body).toBe(inviteA.body);
    // §16.7: responses lose rxsip's Via; the 200 keeps the callee's Contact and the Record-Route.
    const okA = find(wireA, 'rxsip', '200 INVITE');
    expect(values(okA, 'via')).toHaveLength(1);
    expect(branchOf(okA)).toBe(branchOf(inviteA));
    expect(header(okA, 'contact')).toBe(header(find(wireB, 'sipp', '200 INVITE'), 'contact'));
    expect(values(okA, 'record-route')).toEqual([`<sip:127.0.0.1:${port};lr>`]);
    expect(tagOf(header(okA, 'to'))).toBe(tagOf(header(find(wireB, 'sipp', '200 INVITE'), 'to')));
    // The caller's ACK and BYE: to the callee's Contact with Route: rxsip; they reach the callee
    // from rxsip's port, with rxsip's Via on top and its Route removed.
    for (const method of ['ACK', 'BYE']) {
      const sent = find(wireA, 'sipp', method);
      expect(sent.uri).toBe(`sip:sipp@127.0.0.1:${b.port};transport=UDP`);
      expectRoutedThroughRxsip(sent, port);
      expectForwarded(find(wireB, 'rxsip', method), sent, port);
    }
    // The BYE's 200 comes back the same way, without rxsip's Via.
    expect(values(find(wireA, 'rxsip', '200 BYE'), 'via')).toHaveLength(1);

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ connected: true, finalStatus: 200 });
    expect(results[0]?.finalResponse?.status).toBe(200);
    expect(branches(results[0])).toEqual([[b.port, [180, 200]]]);
  });

  // RFC 3261 §16.7 step 4, RFC 6026 §7.2: the answered branch's transaction keeps only a relay for
  // Timer M; a 200 the callee retransmits (its ACK is late) still reaches the caller.
  it('a 200 the callee retransmits before the caller ACKs is relayed too', async () => {
    const { srf, port } = await rxsip();
    const b = await callee('proxy-callee-answers');
    const results = proxyCalls(srf, b.address);
    const a = await caller('proxy-caller-acks-late', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    const sentByCallee = all(wireB, 'sipp', '200 INVITE');
    const relayed = all(wireA, 'rxsip', '200 INVITE');
    expect(sentByCallee.length).toBeGreaterThanOrEqual(2);
    expect(relayed).toHaveLength(sentByCallee.length);
    expect(new Set(relayed.map((m) => tagOf(header(m, 'to'))))).toEqual(
      new Set([tagOf(header(sentByCallee[0], 'to'))]),
    );
    expect(results.map((r) => [r.connected, r.finalStatus])).toEqual([[true, 200]]);
  });
  it('Record-Route: the callee’s BYE, sent to its route set, goes through rxsip to the caller', async () => {
    const { srf, port } = await rxsip();
    const b = await callee('proxy-callee-hangs-up');
    const results = proxyCalls(srf, b.address);
    const a = await caller('proxy-caller-hung-up-on', port);
    const resultB = await b.done;

    const [wireA, wireB] = cleanTraces(a, resultB);
    expectCalleeHangsUp(wireA, wireB);
    const ackA = find(wireA, 'sipp', 'ACK');
    expectRoutedThroughRxsip(ackA, port);
    expectForwarded(find(wireB, 'rxsip', 'ACK'), ackA, port);
    // The callee's BYE: to the caller's Contact, Route: rxsip (its route set from Record-Route).
    const byeB = find(wireB, 'sipp', 'BYE');
    expect(byeB.uri).toBe(`sip:sipp@127.0.0.1:${a.port};transport=UDP`);
    expectRoutedThroughRxsip(byeB, port);
    expectForwarded(find(wireA, 'rxsip', 'BYE'), byeB, port);
    expect(tagOf(header(find(wireA, 'rxsip', 'BYE'), 'to'))).toBe(
      tagOf(header(find(wireA, 'sipp', 'INVITE'), 'from')),
    );
    // The caller's 200 goes back through rxsip, which takes its own Via off.
    const okB = find(wireB, 'rxsip', '200 BYE');
    expect(values(okB, 'via')).toHaveLength(1);
    expect(branchOf(okB)).toBe(branchOf(byeB));

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ connected: true, finalStatus: 200 });
  });

  it('serial forking: the first callee answers 486 (ACKed by rxsip, never relayed), the second answers', async () => {
    const { srf, port } = await rxsip();
    const busy = await callee('proxy-callee-busy');
    const b = await callee('proxy-callee-answers');
    const results = proxyCalls(srf, [busy.address, b.address]);
    const a = await caller('proxy-caller-hangs-up', port);
    const [resultBusy, resultB] = await Promise.all([busy.done, b.done]);

    const [wireA, wireBusy, wireB] = cleanTraces(a, resultBusy, resultB);
    expectCallerHangsUp(wireA, wireB);
    expect(ladder(wireBusy)).toEqual(['rxsip INVITE', 'sipp 486 INVITE', 'rxsip ACK']);
    const inviteA = find(wireA, 'sipp', 'INVITE');
    const [first, second] = [find(wireBusy, 'rxsip', 'INVITE'), find(wireB, 'rxsip', 'INVITE')];
    expect(first.uri).toBe(`sip:bob@127.0.0.1:${busy.port}`);
    expect(second.uri).toBe(`sip:bob@127.0.0.1:${b.port}`);
    // One after the other: the second branch starts once the first has failed; each its own branch.
    expectNotBefore(second, find(wireBusy, 'sipp', '486 INVITE'));
    expect(branchOf(second)).not.toBe(branchOf(first));
    expect(callIdOf(first)).toBe(callIdOf(inviteA));
    expect(callIdOf(second)).toBe(callIdOf(inviteA));
    // The 486's ACK is rxsip's, hop by hop (RFC 3261 §17.1.1.3): the INVITE's branch, one Via.
    const ackBusy = find(wireBusy, 'rxsip', 'ACK');
    expect(branchOf(ackBusy)).toBe(branchOf(first));
    expect(values(ackBusy, 'via')).toHaveLength(1);
    expectForwarded(find(wireB, 'rxsip', 'BYE'), find(wireA, 'sipp', 'BYE'), port);

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ connected: true, finalStatus: 200 });
    expect(branches(results[0])).toEqual([
      [busy.port, [486]],
      [b.port, [180, 200]],
    ]);
  });

  it('parallel forking: both callees ring, the second answers, the first gets CANCEL and answers 487', async () => {
    const { srf, port } = await rxsip();
    const loser = await callee('proxy-callee-rings-cancelled');
    const b = await callee('proxy-callee-answers');
    const results = proxyCalls(srf, [loser.address, b.address], { forking: 'simultaneous' });
    const a = await caller('proxy-caller-hangs-up', port);
    const [resultLoser, resultB] = await Promise.all([loser.done, b.done]);

    const [wireA, wireLoser, wireB] = cleanTraces(a, resultLoser, resultB);
    expect(ladder(wireA)).toEqual([
      'sipp INVITE',
      'rxsip 180 INVITE',
      'rxsip 180 INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(ladder(wireLoser)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'rxsip CANCEL',
      'sipp 200 CANCEL',
      'sipp 487 INVITE',
      'rxsip ACK',
    ]);
    expect(ladder(wireB)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const [lost, won] = [find(wireLoser, 'rxsip', 'INVITE'), find(wireB, 'rxsip', 'INVITE')];
    // Both at once: each INVITE went out before the other branch's final response.
    expectNotBefore(find(wireLoser, 'sipp', '487 INVITE'), won);
    expectNotBefore(find(wireB, 'sipp', '200 INVITE'), lost);
    expect(values(find(wireLoser, 'sipp', '487 INVITE'), 'via')).toHaveLength(2);
    expect(branchOf(won)).not.toBe(branchOf(lost));
    // Both 180s reach the caller, each with its callee's To tag; the 200 is the winner's.
    const ringing = all(wireA, 'rxsip', '180 INVITE').map((m) => tagOf(header(m, 'to')));
    expect(ringing.sort()).toEqual(
      [
        tagOf(header(find(wireLoser, 'sipp', '180 INVITE'), 'to')),
        tagOf(header(find(wireB, 'sipp', '180 INVITE'), 'to')),
      ].sort(),
    );
    expect(tagOf(header(find(wireA, 'rxsip', '200 INVITE'), 'to'))).toBe(
      tagOf(header(find(wireB, 'sipp', '200 INVITE'), 'to')),
    );
    // RFC 3261 §16.10 / §9.1: the CANCEL matches the losing INVITE, after the winner's 200.
    const cancel = find(wireLoser, 'rxsip', 'CANCEL');
    expect(cancel.uri).toBe(lost.uri);
    expect(branchOf(cancel)).toBe(branchOf(lost));
    expect(values(cancel, 'via')).toHaveLength(1);
    expect(cseqOf(cancel)).toEqual({ seq: cseqOf(lost).seq, method: 'CANCEL' });
    expectNotBefore(cancel, find(wireB, 'sipp', '200 INVITE'));
    expect(branchOf(find(wireLoser, 'rxsip', 'ACK'))).toBe(branchOf(lost));

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ connected: true, finalStatus: 200 });
    expect(results[0]?.finalResponse?.msg.toTag).toBe(tagOf(header(find(wireB, 'sipp', '200 INVITE'), 'to')));
    expect(branches(results[0]).find(([p]) => p === b.port)).toEqual([b.port, [180, 200]]);
    expect(branches(results[0]).find(([p]) => p === loser.port)?.[1][0]).toBe(180);
  });

  it('followRedirects: the callee’s 302 is ACKed, not relayed, and its Contact is called and answers', async () => {
    const { srf, port } = await rxsip();
    const b = await callee('proxy-callee-answers');
    const redirector = await callee('proxy-callee-redirects', { redirect_port: String(b.port) });
    const results = proxyCalls(srf, redirector.address, { followRedirects: true });
    const a = await caller('proxy-caller-hangs-up', port);
    const [resultRedirector, resultB] = await Promise.all([redirector.done, b.done]);

    const [wireA, wireRedirector, wireB] = cleanTraces(a, resultRedirector, resultB);
    expectCallerHangsUp(wireA, wireB);
    expect(ladder(wireRedirector)).toEqual(['rxsip INVITE', 'sipp 302 INVITE', 'rxsip ACK']);
    const [first, second] = [find(wireRedirector, 'rxsip', 'INVITE'), find(wireB, 'rxsip', 'INVITE')];
    expect(header(find(wireRedirector, 'sipp', '302 INVITE'), 'contact')).toBe(
      `<sip:redirected@127.0.0.1:${b.port}>`,
    );
    expect(second.uri).toBe(`sip:redirected@127.0.0.1:${b.port}`);
    expectNotBefore(second, find(wireRedirector, 'sipp', '302 INVITE'));
    expect(branchOf(second)).not.toBe(branchOf(first));
    expect(callIdOf(second)).toBe(callIdOf(find(wireA, 'sipp', 'INVITE')));
    expect(values(second, 'record-route')).toEqual([`<sip:127.0.0.1:${port};lr>`]);
    expect(branchOf(find(wireRedirector, 'rxsip', 'ACK'))).toBe(branchOf(first));
    expectForwarded(find(wireB, 'rxsip', 'ACK'), find(wireA, 'sipp', 'ACK'), port);

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ connected: true, finalStatus: 200 });
    expect(branches(results[0])).toEqual([
      [redirector.port, [302]],
      [b.port, [180, 200]],
    ]);
  });
});
