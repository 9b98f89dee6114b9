import { mergeMap, of, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type ProxyResult, proxy, type SipRequest, uas$ } from '../../src/index.js';
import { parseMessage } from '../../src/sip.js';
import {
  answeringTwice,
  ladder,
  packetsMatching,
  RETRANSMITTED_AND_FORKED,
  SDP_A,
  SDP_C,
  threeParties,
  toTagIn,
  virtualCall,
} from '../support/virtual-call.js';

const noTimes = (lines: string[]) => lines.map((l) => l.replace(/^\d+ /, ''));

describe('stateful proxy (RFC 3261 §16, virtual time)', () => {
  it('with Record-Route, the call, its ACK and its BYE all go through the proxy', () => {
    const results: ProxyResult[] = [];
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$.pipe(proxy('10.0.0.3', { recordRoute: true })).subscribe((r) => results.push(r));
      carol.invite$.subscribe((call) => {
        call.res.send(180);
        timer(500)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_C })))
          .subscribe((d) => timer(1000).subscribe(() => void d.end()));
      });
      alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    expect(noTimes(ladder(network))).toEqual([
      'A->B INVITE',
      'B->A 100 Trying',
      'B->C INVITE',
      'C->B 180 Ringing',
      'B->A 180 Ringing',
      'C->B 200 OK',
      'B->A 200 OK',
      'A->B ACK',
      'B->C ACK',
      'C->B BYE',
      'B->A BYE',
      'A->B 200 OK',
      'B->C 200 OK',
    ]);
    const atCarol = parseMessage(packetsMatching(network, /^INVITE/)[1] ?? '') as SipRequest;
    expect(atCarol.uri).toBe('sip:carol@10.0.0.3');
    expect(atCarol.via).toHaveLength(2);
    expect(atCarol.get('max-forwards')).toBe('69');
    expect(atCarol.get('record-route')).toBe('<sip:10.0.0.2:5060;lr>');
    const byeAtAlice = parseMessage(packetsMatching(network, /^BYE/)[1] ?? '') as SipRequest;
    expect(byeAtAlice.has('route')).toBe(false);
    expect(results.map((r) => [r.connected, r.finalStatus])).toEqual([[true, 200]]);
  });

  // RFC 3261 §16.7 step 4, RFC 6026 §7.2: every 2xx goes up, also after the first.
  it("relays a branch's retransmitted 2xx and another fork's 2xx upstream until Timer M", () => {
    const network = virtualCall((call) => {
      answeringTwice(call, RETRANSMITTED_AND_FORKED);
      call.bob.invite$.pipe(proxy('10.0.0.3')).subscribe();
      call.alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    const oks = network.packets
      .filter((p) => p.from === '10.0.0.2:5060' && p.to === '10.0.0.1:5060')
      .map((p) => p.data.toString())
      .filter((t) => t.startsWith('SIP/2.0 200'))
      .map((t) => `${t.includes('CSeq: 1 INVITE') ? 'INVITE' : 'other'} ${toTagIn(t)}`);
    expect(oks).toEqual(['INVITE one', 'INVITE one', 'INVITE two']);
    // alice ACKs each answer (the same dialog's twice) and ends the fork's dialog.
    const fromAlice = network.packets
      .filter((p) => p.from === '10.0.0.1:5060' && p.to === '10.0.0.3:5060')
      .map((p) => p.data.toString())
      .map((t) => `${t.split(' ')[0]} ${toTagIn(t)}`);
    expect(fromAlice).toEqual(['ACK one', 'ACK one', 'ACK two', 'BYE two']);
  });

  // RFC 3261 §16.7 step 5, §16.10: a branch given up (its CANCEL waits for a provisional that
  // never comes) still answers; its 2xx is the call's.
  it('a branch given up after provisionalTimeout that then answers 200 connects the call; the next branch is cancelled', () => {
    const results: ProxyResult[] = [];
    const network = threeParties((call) => {
      answeringTwice(call, [[1500, 'late']], '10.0.0.5');
      call.dave.invite$.subscribe(({ res }) => res.send(180));
      call.bob.invite$
        .pipe(proxy(['10.0.0.5', '10.0.0.4'], { provisionalTimeout: '1s' }))
        .subscribe((r) => results.push(r));
      call.alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    const lines = network.packets.map((p) => `${p.from}->${p.to} ${p.data.toString().split('\r\n')[0]}`);
    expect(lines).toContain('10.0.0.2:5060->10.0.0.1:5060 SIP/2.0 200 OK');
    expect(lines).toContain('10.0.0.2:5060->10.0.0.4:5060 CANCEL sip:carol@10.0.0.4 SIP/2.0');
    expect(lines).toContain('10.0.0.1:5060->10.0.0.5:5060 ACK sip:carol@10.0.0.5 SIP/2.0');
    expect(results.map((r) => [r.connected, r.finalStatus])).toEqual([[true, 200]]);
  });

  // Unsubscribing cancels: a branch stopped before that, answering after it, is not relayed.
  it('unsubscribed before it settles: a 2xx from a branch it had given up goes nowhere, nor its retransmission', () => {
    const network = threeParties((call) => {
      answeringTwice(
        call,
        [
          [1500, 'late'],
          [2000, 'late'],
        ],
        '10.0.0.5',
      );
      call.dave.invite$.subscribe(({ res }) => res.send(180));
      call.bob.invite$.subscribe((event) => {
        const proxying = of(event)
          .pipe(proxy(['10.0.0.5', '10.0.0.4'], { provisionalTimeout: '1s' }))
          .subscribe();
        call.scheduler.schedule(() => proxying.unsubscribe(), 1200);
      });
      call.alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe({ error: () => undefined });
    });
    const lines = network.packets.map((p) => `${p.from}->${p.to} ${p.data.toString().split('\r\n')[0]}`);
    expect(lines.filter((l) => l.startsWith('10.0.0.5:5060->10.0.0.2:5060'))).toEqual([
      '10.0.0.5:5060->10.0.0.2:5060 SIP/2.0 200 OK',
      '10.0.0.5:5060->10.0.0.2:5060 SIP/2.0 200 OK',
    ]);
    expect(lines).not.toContain('10.0.0.2:5060->10.0.0.1:5060 SIP/2.0 200 OK');
  });

  it('answers 483 when Max-Forwards is 0', () => {
    const statuses: number[] = [];
    threeParties(({ alice, bob }) => {
      bob.invite$.pipe(proxy('10.0.0.3')).subscribe();
      alice
        .call$('sip:carol@10.0.0.2', { localSdp: SDP_A, headers: { 'Max-Forwards': 0 } })
        .subscribe({ error: (e) => statuses.push(e.status) });
    });
    expect(statuses).toEqual([483]);
  });

  it('serial forking: the first callee answers 486, the second answers', () => {
    const results: ProxyResult[] = [];
    const network = threeParties(({ alice, bob, carol, dave }) => {
      bob.invite$.pipe(proxy(['10.0.0.3', '10.0.0.4'])).subscribe((r) => results.push(r));
      carol.invite((_req, res) => res.send(486));
      dave.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_C }))).subscribe();
      alice.call$('sip:someone@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    const lines = noTimes(ladder(network));
    expect(lines.slice(0, 6)).toEqual([
      'A->B INVITE',
      'B->A 100 Trying',
      'B->C INVITE',
      'C->B 486 Busy Here',
      'B->C ACK',
      'B->D INVITE',
    ]);
    expect(lines).toContain('B->A 200 OK');
    expect(lines).not.toContain('B->A 486 Busy Here');
    expect(results[0]?.finalStatus).toBe(200);
    expect(results[0]?.responses.map((r) => [r.address, r.msgs.map((m) => m.status)])).toEqual([
      ['10.0.0.3', [486]],
      ['10.0.0.4', [200]],
    ]);
  });

  it('parallel forking: both ring, the second answers, the first is cancelled', () => {
    const network = threeParties(({ alice, bob, carol, dave }) => {
      bob.invite$.pipe(proxy(['10.0.0.3', '10.0.0.4'], { forking: 'simultaneous' })).subscribe();
      carol.invite((_req, res) => res.send(180));
      dave.invite$.subscribe((call) => {
        call.res.send(180);
        timer(1000)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_C })))
          .subscribe();
      });
      alice.call$('sip:someone@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    const lines = noTimes(ladder(network));
    expect(lines.slice(0, 4).sort()).toEqual([
      'A->B INVITE',
      'B->A 100 Trying',
      'B->C INVITE',
      'B->D INVITE',
    ]);
    expect(lines).toContain('B->C CANCEL');
    expect(lines).toContain('C->B 487 Request Terminated');
    expect(lines.filter((l) => l === 'B->A 200 OK')).toHaveLength(1);
    expect(lines).not.toContain('B->A 487 Request Terminated');
  });

  it('follows a redirect when asked', () => {
    const network = threeParties(({ alice, bob, carol, dave }) => {
      bob.invite$.pipe(proxy('10.0.0.3', { followRedirects: true })).subscribe();
      carol.invite((_req, res) => res.send(302, { headers: { Contact: '<sip:dave@10.0.0.4>' } }));
      dave.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_C }))).subscribe();
      alice.call$('sip:someone@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    const lines = noTimes(ladder(network));
    expect(lines).toContain('B->D INVITE');
    expect(lines).not.toContain('B->A 302 Moved Temporarily');
    expect(lines).toContain('B->A 200 OK');
  });

  it('passes a CANCEL from upstream to the branches', () => {
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$.pipe(proxy('10.0.0.3')).subscribe();
      carol.invite((_req, res) => res.send(180));
      const sub = alice
        .call$('sip:someone@10.0.0.2', { localSdp: SDP_A })
        .subscribe({ error: () => undefined });
      timer(1000).subscribe(() => sub.unsubscribe());
    });
    const lines = noTimes(ladder(network));
    expect(lines).toContain('A->B CANCEL');
    expect(lines).toContain('B->A 487 Request Terminated');
    expect(lines).toContain('B->C CANCEL');
    expect(lines).toContain('C->B 487 Request Terminated');
  });

  it('gives up a branch without a provisional response by provisionalTimeout and tries the next', () => {
    const network = threeParties(({ alice, bob, carol, dave }) => {
      bob.invite$.pipe(proxy(['10.0.0.3', '10.0.0.4'], { provisionalTimeout: '2s' })).subscribe();
      carol.invite(() => undefined); // never answers (only the stack's 100 Trying)
      dave.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_C }))).subscribe();
      alice.call$('sip:someone@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    const dInvite = ladder(network).find((l) => / B->D INVITE$/.test(l));
    expect(Number(dInvite?.split(' ')[0])).toBe(2001);
    expect(noTimes(ladder(network))).toContain('B->C CANCEL');
  });

  it('relays the best final response when every branch fails (RFC 3261 §16.7: 6xx first)', () => {
    const statuses: number[] = [];
    threeParties(({ alice, bob, carol, dave }) => {
      bob.invite$.pipe(proxy(['10.0.0.3', '10.0.0.4'], { forking: 'simultaneous' })).subscribe();
      carol.invite((_req, res) => res.send(486));
      dave.invite((_req, res) => timer(100).subscribe(() => res.send(603)));
      alice
        .call$('sip:someone@10.0.0.2', { localSdp: SDP_A })
        .subscribe({ error: (e) => statuses.push(e.status) });
    });
    expect(statuses).toEqual([603]);
  });
});
