import { mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { earlyDialogOf } from '../../src/dialogs/uas-invite.js';
import { type Dialog, filterMethod, type SipRequest, type SipResponse, uas$ } from '../../src/index.js';
import { createRequest, parseMessage } from '../../src/sip.js';
import { flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

const EARLY = SDP_B.replace('bob 2 2', 'bob 2 1');

function messages(
  network: ReturnType<typeof virtualCall>,
  firstLine: RegExp,
): Array<SipRequest | SipResponse> {
  return packetsMatching(network, firstLine).map((t) => parseMessage(t));
}

describe('reliable provisional responses (RFC 3262, virtual time)', () => {
  it('UAS sends a 183 with RSeq, the UAC PRACKs it (RAck, CSeq + 1), the 200 follows; BYE is CSeq + 2', () => {
    let uac: Dialog | undefined;
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(183, {
          headers: { Require: '100rel', 'Content-Type': 'application/sdp' },
          body: EARLY,
        });
        timer(1000)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))
          .subscribe();
      });
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe((p) => {
        if (p.type === 'dialog') {
          uac = p.dialog;
          timer(100).subscribe(() => void p.dialog.end());
        }
      });
    });
    expect(flow(network).map((l) => l.replace(/^\d+ /, ''))).toEqual([
      'A->B INVITE',
      'B->A 183 Session Progress',
      'A->B PRACK',
      'B->A 200 OK',
      'B->A 200 OK',
      'A->B ACK',
      'A->B BYE',
      'B->A 200 OK',
    ]);
    const invite = messages(network, /^INVITE/)[0] as SipRequest;
    const ringing = messages(network, /^SIP\/2\.0 183/)[0] as SipResponse;
    const prack = messages(network, /^PRACK/)[0] as SipRequest;
    const bye = messages(network, /^BYE/)[0] as SipRequest;
    const ack = messages(network, /^ACK/)[0] as SipRequest;
    expect(invite.get('supported')).toContain('100rel');
    const rseq = Number(ringing.get('rseq'));
    expect(rseq).toBeGreaterThan(0);
    expect(prack.get('rack')).toBe(`${rseq} ${invite.cseq.seq} INVITE`);
    expect(prack.cseq.seq).toBe(invite.cseq.seq + 1);
    expect(ack.cseq.seq).toBe(invite.cseq.seq);
    expect(bye.cseq.seq).toBe(invite.cseq.seq + 2);
    expect(uac?.remote.sdp).toBe(SDP_B);
  });

  it('holds the 200 until the PRACK when the UAS answers first', () => {
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(180, { headers: { Require: '100rel' } });
        timer(500)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))
          .subscribe();
      });
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A, prack: 'manual' }).subscribe((p) => {
        if (p.type === 'provisional' && p.prack) timer(2000).subscribe(() => p.prack?.().subscribe());
      });
    });
    const lines = flow(network);
    // The 180 reached alice at 2; she PRACKs 2 s later, at 2002; both 200s go when it arrives.
    expect(lines).toContain('2002 A->B PRACK');
    expect(lines.filter((l) => / B->A 200 OK$/.test(l)).map((l) => Number(l.split(' ')[0]))).toEqual([
      2003, 2003,
    ]);
    // Meanwhile the 180 was resent at T1, doubling (RFC 3262 §3).
    expect(lines.filter((l) => l.endsWith('180 Ringing')).map((l) => Number(l.split(' ')[0]))).toEqual([
      1, 501, 1501,
    ]);
  });

  it('unsubscribing from uas$ while its 200 waits for the PRACK withdraws it: the PRACK releases nothing, and the application’s own answer is the one sent', () => {
    const ANSWER = SDP_B.replace('bob 2 2', 'bob 2 3');
    const outcomes: string[] = [];
    let uac: Dialog | undefined;
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(183, { headers: { Require: '100rel' } });
        // Held for the PRACK at 500 ms, given up at 1000 ms.
        const first = timer(500)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))
          .subscribe({
            next: () => outcomes.push('first dialog'),
            complete: () => outcomes.push('first complete'),
          });
        timer(1000).subscribe(() => first.unsubscribe());
        // Alice PRACKs at about 2000 ms; the application answers again at 3000 ms.
        timer(3000)
          .pipe(mergeMap(() => uas$(call, { localSdp: ANSWER })))
          .subscribe((dialog) => outcomes.push(`dialog ${dialog.local.sdp === ANSWER ? 'ANSWER' : 'SDP_B'}`));
      });
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A, prack: 'manual' }).subscribe((p) => {
        if (p.type === 'provisional' && p.prack) timer(2000).subscribe(() => p.prack?.().subscribe());
        if (p.type === 'dialog') {
          uac = p.dialog;
          timer(100).subscribe(() => void p.dialog.end());
        }
      });
    });
    expect(outcomes).toEqual(['dialog ANSWER']);
    expect(uac?.remote.sdp).toBe(ANSWER);
    expect(flow(network).filter((l) => !l.endsWith('183 Session Progress'))).toEqual([
      '0 A->B INVITE',
      '2002 A->B PRACK',
      '2003 B->A 200 OK',
      '3001 B->A 200 OK',
      '3002 A->B ACK',
      '3102 A->B BYE',
      '3103 B->A 200 OK',
    ]);
    const oks = messages(network, /^SIP\/2\.0 200/) as SipResponse[];
    expect(oks.map((r) => `${r.cseq.method} ${r.body === ANSWER ? 'ANSWER' : r.body}`)).toEqual([
      'PRACK ',
      'INVITE ANSWER',
      'BYE ',
    ]);
  });

  it('a 200 withdrawn that way and not answered again: the stack’s deadline answers the INVITE 408 and no 200 goes out', () => {
    const errors: number[] = [];
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(183, { headers: { Require: '100rel' } });
        const answer = uas$(call, { localSdp: SDP_B }).subscribe();
        timer(1000).subscribe(() => answer.unsubscribe());
      });
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A, prack: 'manual' }).subscribe({
        next: (p) => {
          if (p.type === 'provisional' && p.prack) timer(2000).subscribe(() => p.prack?.().subscribe());
        },
        error: (e) => errors.push(e.status),
      });
    });
    expect(errors).toEqual([408]);
    expect(flow(network).filter((l) => !l.endsWith('183 Session Progress'))).toEqual([
      '0 A->B INVITE',
      '2002 A->B PRACK',
      '2003 B->A 200 OK',
      '180001 B->A 408 Request Timeout',
      '180002 A->B ACK',
    ]);
  });

  it('gives up after 64*T1 without a PRACK: the INVITE is answered 504 and uas$ completes without a dialog', () => {
    const outcomes: string[] = [];
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(183, { headers: { Require: '100rel' } });
        call.res.final$.subscribe((final) => outcomes.push(`final ${final.status}`));
        uas$(call, { localSdp: SDP_B }).subscribe({
          next: () => outcomes.push('dialog'),
          error: () => outcomes.push('error'),
          complete: () => outcomes.push('complete'),
        });
      });
      alice
        .call$('sip:bob@10.0.0.2', { localSdp: SDP_A, prack: 'manual' })
        .subscribe({ error: () => undefined });
    });
    expect(flow(network)).toContain('32001 B->A 504 No PRACK');
    expect([...outcomes].sort()).toEqual(['complete', 'final 504']);
    expect(flow(network).filter((l) => / 200 OK$/.test(l))).toEqual([]);
  });

  it('a PRACK with an SDP answer reaches req.prack$, where the application answers it', () => {
    const prackBodies: string[] = [];
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.req.prack$.subscribe(({ req, res }) => {
          prackBodies.push(req.body);
          res.send(200, { headers: { 'X-Prack': 'app' } });
        });
        // Late offer: the offer in the reliable 183, the answer in the PRACK.
        call.res.send(183, {
          headers: { Require: '100rel', 'Content-Type': 'application/sdp' },
          body: SDP_B,
        });
      });
      alice.call$('sip:bob@10.0.0.2', { prack: 'manual' }).subscribe({
        next: (p) => {
          if (p.type === 'provisional' && p.prack) p.prack({ body: SDP_A }).subscribe();
        },
        error: () => undefined, // bob never answers: the stack's deadline ends the call
      });
    });
    expect(prackBodies).toEqual([SDP_A]);
    const prackOk = messages(network, /^SIP\/2\.0 200/).find(
      (r) => (r as SipResponse).cseq.method === 'PRACK',
    ) as SipResponse;
    expect(prackOk.get('x-prack')).toBe('app');
  });

  it('PRACKs a retransmitted reliable response only once', () => {
    let pracks = 0;
    const network = virtualCall(
      ({ alice, bob }) => {
        bob.invite$.subscribe((call) => {
          call.res.send(183, { headers: { Require: '100rel' } });
          timer(3000)
            .pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))
            .subscribe();
        });
        alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
      },
      // The first PRACK is lost: bob resends the 183, alice's PRACK transaction resends the PRACK.
      { drop: (p) => p.data.toString().startsWith('PRACK') && ++pracks === 1 },
    );
    const prackCseqs = new Set(messages(network, /^PRACK/).map((p) => (p as SipRequest).cseq.seq));
    expect(prackCseqs.size).toBe(1);
    expect(flow(network).filter((l) => l.endsWith('183 Session Progress')).length).toBeGreaterThan(1);
  });

  it('sends the 183 unreliably to a UAC that does not support 100rel', () => {
    const replies: string[] = [];
    virtualCall(({ network, bob }) => {
      bob.requests$
        .pipe(filterMethod('INVITE'))
        .subscribe((call) => call.res.send(183, { headers: { Require: '100rel' } }));
      const peer = { protocol: 'udp' as const, address: '10.0.0.3', port: 5060 };
      network.bind(peer, (data) => replies.push(data.toString()));
      const invite = createRequest({
        method: 'INVITE',
        uri: 'sip:bob@10.0.0.2',
        from: '<sip:carol@10.0.0.3>',
        headers: { Contact: '<sip:carol@10.0.0.3>' },
      });
      invite.append('Via', 'SIP/2.0/UDP 10.0.0.3:5060;branch=z9hG4bKno100rel', { first: true });
      network.send(peer, { address: '10.0.0.2', port: 5060 }, invite.toBuffer());
    });
    const progress = parseMessage(replies.find((r) => r.startsWith('SIP/2.0 183')) ?? '') as SipResponse;
    expect(progress.has('rseq')).toBe(false);
    expect(progress.get('require')).toBeUndefined();
  });

  it('early dialogs take UPDATE both ways before the answer (RFC 3311); each side answers with its SDP', () => {
    const answers: Record<string, SipResponse> = {};
    virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(183, { headers: { 'Content-Type': 'application/sdp' }, body: EARLY });
        // bob updates from his early dialog: alice's INVITE is pending, she answers with her SDP.
        timer(50).subscribe(() =>
          earlyDialogOf(call.req)
            ?.send$({ method: 'UPDATE', body: EARLY.replace('bob 2 1', 'bob 2 3') })
            .subscribe((r) => (answers.byBob = r)),
        );
      });
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe({
        next: (p) => {
          if (p.type === 'provisional' && p.dialog) {
            p.dialog
              .send$({ method: 'UPDATE', body: SDP_A.replace('alice 1 1', 'alice 1 2') })
              .subscribe((r) => (answers.byAlice = r));
          }
        },
        error: () => undefined,
      });
    });
    expect(answers.byAlice?.status).toBe(200);
    expect(answers.byAlice?.body).toBe(EARLY);
    expect(answers.byBob?.status).toBe(200);
    expect(answers.byBob?.body).toBe(SDP_A.replace('alice 1 1', 'alice 1 2'));
  });
});
