// How b2buaProgress$ answers A once B answered, and relays B's provisional responses: with
// localSdpA absent or text (the plain path) and as a function (a pipeline), the same progress,
// in the same order, and the same messages on the wire.
import { mergeMap, type Subscription, takeWhile, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type B2buaOptions,
  b2buaProgress$,
  type SipRequest,
  type SipResponse,
  uas$,
} from '../../src/index.js';
import { createResponse, parseMessage } from '../../src/sip.js';
import type { VirtualNetwork } from '../../src/testing.js';
import { ladder, packetsMatching, SDP_A, SDP_C, threeParties } from '../support/virtual-call.js';

const SDP_X = SDP_C.replace('carol 3 3', 'b2bua 9 9');
const noTimes = (lines: string[]) => lines.map((l) => l.replace(/^\d+ /, ''));

// localSdpA's three forms: absent (B's SDP) and text take the plain path, a function the pipeline.
const forms: [string, B2buaOptions['localSdpA'], string][] = [
  ['absent', undefined, SDP_C],
  ['text', SDP_X, SDP_X],
  ['a function', (sdp) => sdp.replace('carol 3 3', 'b2bua 9 9'), SDP_X],
];

const HASTY = '10.0.0.5';

/**
 * A callee at 10.0.0.5 that is not rxsip: a reliable 183 without SDP, then its 200 10 ms later
 * without waiting for the PRACK (RFC 3262 §3 allows it: the 183 had no SDP). Every other
 * request but ACK gets 200.
 */
function hastyCallee(network: VirtualNetwork): void {
  const me = { protocol: 'udp' as const, address: HASTY, port: 5060 };
  network.bind(me, (data, source) => {
    const request = parseMessage(data) as SipRequest;
    const reply = (response: SipResponse) =>
      network.send(me, { address: source.address, port: source.port }, response.toBuffer());
    if (request.method === 'ACK') return;
    if (request.method !== 'INVITE') return reply(createResponse(request, 200));
    const contact = `<sip:callee@${HASTY}>`;
    reply(
      createResponse(request, 183, {
        toTag: 'hasty',
        headers: { Require: '100rel', RSeq: 1, Contact: contact },
      }),
    );
    network.scheduler.schedule(
      () =>
        reply(
          createResponse(request, 200, {
            toTag: 'hasty',
            headers: { Contact: contact },
            contentType: 'application/sdp',
            body: SDP_C,
          }),
        ),
      10,
    );
  });
}

describe('b2buaProgress$: answering A once B answered', () => {
  it.each(forms)(
    'localSdpA %s: progress is request, each provisional, uac, connected; A’s 200 goes out between uac and connected',
    (_form, localSdpA) => {
      const seen: string[] = [];
      const network = threeParties(({ alice, bob, carol, network }) => {
        const toAlice = () =>
          network.packets
            .filter((p) => p.from === '10.0.0.2:5060' && p.to === '10.0.0.1:5060')
            .map((p) => p.data.toString().split('\r\n')[0]);
        bob.invite$.subscribe((call) =>
          b2buaProgress$(call, 'sip:carol@10.0.0.3', { localSdpA }).subscribe({
            next: (p) => seen.push(`${p.type} [${toAlice().join(', ')}]`),
            complete: () => seen.push('complete'),
          }),
        );
        carol.invite$.subscribe((call) => {
          call.res.send(180);
          call.res.send(183, { headers: { 'Content-Type': 'application/sdp' }, body: SDP_C });
          timer(100)
            .pipe(mergeMap(() => uas$(call, { localSdp: SDP_C })))
            .subscribe();
        });
        alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe();
      });
      expect(seen).toEqual([
        'request []',
        'provisional [SIP/2.0 180 Ringing]',
        'provisional [SIP/2.0 180 Ringing, SIP/2.0 183 Session Progress]',
        'uac [SIP/2.0 180 Ringing, SIP/2.0 183 Session Progress]',
        'connected [SIP/2.0 180 Ringing, SIP/2.0 183 Session Progress, SIP/2.0 200 OK]',
        'complete',
      ]);
      expect(noTimes(ladder(network))).toContain('A->B ACK');
    },
  );

  it.each(forms)('localSdpA %s: is what A gets in a relayed 183 and in the 200', (_form, localSdpA, sdp) => {
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$
        .pipe(mergeMap((call) => b2buaProgress$(call, 'sip:carol@10.0.0.3', { localSdpA })))
        .subscribe();
      carol.invite$.subscribe((call) => {
        call.res.send(183, { headers: { 'Content-Type': 'application/sdp' }, body: SDP_C });
        timer(100)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_C })))
          .subscribe();
      });
      alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    const toAlice = network.packets
      .filter((p) => p.from === '10.0.0.2:5060' && p.to === '10.0.0.1:5060')
      .map((p) => parseMessage(p.data) as SipResponse)
      .filter((r) => r.status === 183 || (r.status === 200 && r.cseq.method === 'INVITE'));
    expect(toAlice.map((r) => [r.status, r.get('content-type'), r.body])).toEqual([
      [183, 'application/sdp', sdp],
      [200, 'application/sdp', sdp],
    ]);
    // B was offered A's SDP and answered with its own, whatever A was given.
    const toCarol = parseMessage(
      packetsMatching(network, /^INVITE sip:carol@10\.0\.0\.3/)[0] ?? '',
    ) as SipRequest;
    expect(toCarol.body).toBe(SDP_A);
  });

  it.each(forms)(
    'localSdpA %s: A cancelling as B answers (the CANCEL reaches the B2BUA first) hangs up B; neither connected nor rejected',
    (_form, localSdpA) => {
      const seen: string[] = [];
      const errors: number[] = [];
      // 10 ms each way: carol answers at 1020 ms, her 200 reaches bob at 1030 ms; alice's CANCEL,
      // sent at 1015 ms, reaches bob at 1025 ms and carol (already answered) at 1035 ms.
      const network = threeParties(
        ({ alice, bob, carol }) => {
          bob.invite$.subscribe((call) =>
            b2buaProgress$(call, 'sip:carol@10.0.0.3', { localSdpA }).subscribe({
              next: (p) => seen.push(p.type),
              complete: () => seen.push('complete'),
            }),
          );
          carol.invite((req, res) => {
            res.send(180);
            timer(1000).subscribe(() => void carol.createUas(req, res, { localSdp: SDP_C }));
          });
          alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe({
            next: (p) => {
              if (p.type === 'request') timer(1015).subscribe(() => p.cancel());
            },
            error: (e) => errors.push(e.status),
          });
        },
        { latency: 10 },
      );
      expect(seen).toEqual(['request', 'provisional', 'uac', 'complete']);
      expect(errors).toEqual([487]);
      const lines = noTimes(ladder(network));
      expect(lines.slice(lines.indexOf('A->B CANCEL'))).toEqual([
        'A->B CANCEL',
        'C->B 200 OK',
        'B->A 200 OK',
        'B->A 487 Request Terminated',
        'B->C CANCEL',
        'B->C ACK',
        'B->C BYE',
        'A->B ACK',
        'C->B 200 OK',
        'C->B 200 OK',
      ]);
    },
  );

  it.each(forms)(
    'localSdpA %s: A’s 200 held for a PRACK that never comes: A gets 504 and B is hung up',
    (_form, localSdpA) => {
      const seen: string[] = [];
      const errors: number[] = [];
      const network = threeParties(({ alice, bob, network }) => {
        hastyCallee(network);
        bob.invite$.subscribe((call) =>
          b2buaProgress$(call, `sip:callee@${HASTY}`, { localSdpA }).subscribe({
            next: (p) => seen.push(p.type),
            complete: () => seen.push('complete'),
          }),
        );
        // alice PRACKs nothing: bob holds her 200 (RFC 3262 §3) and gives up after 64*T1.
        alice
          .call$('sip:callee@10.0.0.2', { localSdp: SDP_A, prack: 'manual' })
          .subscribe({ error: (e) => errors.push(e.status) });
      });
      expect(seen).toEqual(['request', 'provisional', 'uac', 'complete']);
      expect(errors).toEqual([504]);
      const lines = noTimes(ladder(network)).filter((l) => !l.includes('183'));
      expect(lines).toEqual([
        'A->B INVITE',
        `B->${HASTY}:5060 INVITE`,
        `${HASTY}:5060->B 200 OK`,
        `B->${HASTY}:5060 ACK`,
        'B->A 504 No PRACK',
        `B->${HASTY}:5060 BYE`,
        'A->B ACK',
        `${HASTY}:5060->B 200 OK`,
      ]);
    },
  );

  it.each(forms)(
    'localSdpA %s: unsubscribing after uac, while A’s 200 waits for a PRACK, ends the answer: nothing more is emitted and A’s 504 does not hang up B',
    (_form, localSdpA) => {
      const seen: string[] = [];
      const network = threeParties(({ alice, bob, network }) => {
        hastyCallee(network);
        bob.invite$.subscribe((call) => {
          const subscription: Subscription = b2buaProgress$(call, `sip:callee@${HASTY}`, {
            localSdpA,
          }).subscribe((p) => {
            seen.push(p.type);
            if (p.type === 'uac') timer(100).subscribe(() => subscription.unsubscribe());
          });
        });
        alice
          .call$('sip:callee@10.0.0.2', { localSdp: SDP_A, prack: 'manual' })
          .subscribe({ error: () => undefined });
      });
      expect(seen).toEqual(['request', 'provisional', 'uac']);
      const lines = noTimes(ladder(network)).filter((l) => !l.includes('183'));
      expect(lines).toEqual([
        'A->B INVITE',
        `B->${HASTY}:5060 INVITE`,
        `${HASTY}:5060->B 200 OK`,
        `B->${HASTY}:5060 ACK`,
        'B->A 504 No PRACK',
        'A->B ACK',
      ]);
    },
  );

  it.each(forms)(
    'localSdpA %s: unsubscribing after uac, while A’s 200 waits for a PRACK, withdraws it: A’s PRACK releases no 200 and the application answers A itself',
    (_form, localSdpA) => {
      const seen: string[] = [];
      const errors: number[] = [];
      const network = threeParties(({ alice, bob, network }) => {
        hastyCallee(network);
        bob.invite$.subscribe((call) => {
          const subscription: Subscription = b2buaProgress$(call, `sip:callee@${HASTY}`, {
            localSdpA,
          }).subscribe((p) => {
            seen.push(p.type);
            if (p.type !== 'uac') return;
            timer(100).subscribe(() => subscription.unsubscribe());
            // After alice's PRACK (at about 200 ms) the application, which kept B, answers A.
            timer(300).subscribe(() => {
              seen.push(call.res.send(480) ? 'sent 480' : 'could not send 480');
              p.uac.end();
            });
          });
        });
        alice.call$('sip:callee@10.0.0.2', { localSdp: SDP_A, prack: 'manual' }).subscribe({
          next: (p) => {
            if (p.type === 'provisional' && p.prack) timer(200).subscribe(() => p.prack?.().subscribe());
          },
          error: (e) => errors.push(e.status),
        });
      });
      expect(seen).toEqual(['request', 'provisional', 'uac', 'sent 480']);
      expect(errors).toEqual([480]);
      expect(noTimes(ladder(network)).filter((l) => !l.includes('183'))).toEqual([
        'A->B INVITE',
        `B->${HASTY}:5060 INVITE`,
        `${HASTY}:5060->B 200 OK`,
        `B->${HASTY}:5060 ACK`,
        'A->B PRACK',
        'B->A 200 OK',
        'B->A 480 Temporarily Unavailable',
        `B->${HASTY}:5060 BYE`,
        'A->B ACK',
        `${HASTY}:5060->B 200 OK`,
      ]);
      // The one 200 alice got answers her PRACK.
      const oks = packetsMatching(network, /^SIP\/2\.0 200/).map((t) => parseMessage(t) as SipResponse);
      expect(oks.filter((r) => r.toTag !== 'hasty').map((r) => r.cseq.method)).toEqual(['PRACK']);
    },
  );

  it.each(forms)(
    'localSdpA %s: unsubscribing as uac is emitted leaves A to the application: the B2BUA does not answer it',
    (_form, localSdpA) => {
      const seen: string[] = [];
      const network = threeParties(({ alice, bob, carol }) => {
        bob.invite$.subscribe((call) =>
          b2buaProgress$(call, 'sip:carol@10.0.0.3', { localSdpA })
            .pipe(takeWhile((p) => p.type !== 'uac', true))
            .subscribe({
              next: (p) => {
                seen.push(p.type);
                // The application answers A itself, a little later.
                if (p.type === 'uac')
                  timer(10).subscribe(() => {
                    call.res.send(480);
                    p.uac.end();
                  });
              },
              complete: () => seen.push('complete'),
            }),
        );
        carol.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP_C }))).subscribe();
        alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe({ error: () => undefined });
      });
      expect(seen).toEqual(['request', 'uac', 'complete']);
      expect(noTimes(ladder(network))).toEqual([
        'A->B INVITE',
        'B->C INVITE',
        'C->B 200 OK',
        'B->C ACK',
        'B->A 480 Temporarily Unavailable',
        'B->C BYE',
        'A->B ACK',
        'C->B 200 OK',
      ]);
    },
  );
});
