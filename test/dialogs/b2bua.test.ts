import { catchError, mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  b2bua,
  b2bua$,
  type Dialog,
  relayInDialog,
  type SipRequest,
  type SipResponse,
  tieLegs,
  uas$,
} from '../../src/index.js';
import { parseMessage } from '../../src/sip.js';
import { ladder, packetsMatching, SDP_A, SDP_C, threeParties } from '../support/virtual-call.js';

const noTimes = (lines: string[]) => lines.map((l) => l.replace(/^\d+ /, ''));

describe('B2BUA (in-memory engine, virtual time)', () => {
  it('bridges A to C: provisional relayed, C answer given to A, both legs emitted; A hanging up ends C', () => {
    let legs: { uas: Dialog; uac: Dialog } | undefined;
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$.pipe(b2bua('sip:carol@10.0.0.3'), tieLegs()).subscribe((l) => (legs = l));
      carol.invite((req, res) => {
        res.send(180);
        timer(1000).subscribe(() => void carol.createUas(req, res, { localSdp: SDP_C }));
      });
      alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe((p) => {
        if (p.type === 'dialog') timer(500).subscribe(() => void p.dialog.end());
      });
    });
    expect(noTimes(ladder(network))).toEqual([
      'A->B INVITE',
      'B->C INVITE',
      'C->B 180 Ringing',
      'B->A 180 Ringing',
      'C->B 200 OK',
      'B->C ACK',
      'B->A 200 OK',
      'A->B ACK',
      'A->B BYE',
      'B->A 200 OK',
      'B->C BYE',
      'C->B 200 OK',
    ]);
    const toCarol = parseMessage(packetsMatching(network, /^INVITE/)[1] ?? '') as SipRequest;
    expect(toCarol.body).toBe(SDP_A);
    const okToAlice = parseMessage(packetsMatching(network, /^SIP\/2\.0 200/)[1] ?? '') as SipResponse;
    expect(okToAlice.body).toBe(SDP_C);
    expect(legs?.uas.remote.sdp).toBe(SDP_A);
    expect(legs?.uac.remote.sdp).toBe(SDP_C);
  });

  it('C hanging up ends A (tieLegs)', () => {
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$.pipe(b2bua('sip:carol@10.0.0.3'), tieLegs()).subscribe();
      carol.invite$
        .pipe(mergeMap((c) => uas$(c, { localSdp: SDP_C })))
        .subscribe((d) => timer(300).subscribe(() => void d.end()));
      alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe();
    });
    expect(noTimes(ladder(network)).slice(-4)).toEqual([
      'C->B BYE',
      'B->C 200 OK',
      'B->A BYE',
      'A->B 200 OK',
    ]);
  });

  it('a CANCEL from A cancels C, with its Reason', () => {
    const errors: number[] = [];
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$.pipe(b2bua('sip:carol@10.0.0.3')).subscribe();
      carol.invite((_req, res) => res.send(180));
      alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe({
        next: (p) => {
          if (p.type === 'request') {
            const cancel = p.cancel;
            timer(1000).subscribe(() => cancel({ Reason: 'SIP;cause=480;text="Caller gave up"' }));
          }
        },
        error: (e) => errors.push(e.status),
      });
    });
    const cancels = packetsMatching(network, /^CANCEL/).map((t) => parseMessage(t) as SipRequest);
    expect(cancels).toHaveLength(2);
    expect(cancels[1]?.get('reason')).toBe('SIP;cause=480;text="Caller gave up"');
    const lines = noTimes(ladder(network));
    expect(lines).toContain('B->A 487 Request Terminated');
    expect(lines).toContain('C->B 487 Request Terminated');
    expect(errors).toEqual([487]);
  });

  it("passes C's failure to A (passFailure), or lets the application fall back to another callee", () => {
    const statuses: number[] = [];
    const network = threeParties(({ alice, bob, carol, dave }) => {
      carol.invite((_req, res) => res.send(404));
      dave.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_C }))).subscribe();
      bob.invite$
        .pipe(
          mergeMap((call) =>
            call.req.calledNumber === 'fallback'
              ? b2bua$(call, 'sip:carol@10.0.0.3', { passFailure: false }).pipe(
                  catchError(() => b2bua$(call, 'sip:dave@10.0.0.4')),
                )
              : b2bua$(call, 'sip:carol@10.0.0.3').pipe(catchError(() => [])),
          ),
        )
        .subscribe();
      alice
        .call$('sip:plain@10.0.0.2', { localSdp: SDP_A })
        .subscribe({ error: (e) => statuses.push(e.status) });
      timer(100).subscribe(() =>
        alice
          .call$('sip:fallback@10.0.0.2', { localSdp: SDP_A })
          .subscribe((p) => p.type === 'dialog' && statuses.push(200)),
      );
    });
    expect(statuses).toEqual([404, 200]);
    const lines = noTimes(ladder(network));
    expect(lines).toContain('B->D INVITE');
    expect(lines.filter((l) => l === 'B->A 404 Not Found')).toHaveLength(1);
  });

  it('copies headers each way: proxyRequestHeaders, responseHeaders, proxyResponseHeaders with exclusions', () => {
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$
        .pipe(
          b2bua('sip:carol@10.0.0.3', {
            proxyRequestHeaders: ['X-Account', 'User-Agent'],
            proxyResponseHeaders: ['all', '-X-Secret'],
            responseHeaders: { 'X-B2bua': 'rxsip' },
          }),
        )
        .subscribe();
      carol.invite$
        .pipe(
          mergeMap((c) =>
            uas$(c, { localSdp: SDP_C, headers: { 'X-Callee': 'carol', 'X-Secret': 'hidden' } }),
          ),
        )
        .subscribe();
      alice
        .call$('sip:carol@10.0.0.2', {
          localSdp: SDP_A,
          headers: { 'X-Account': '42', 'User-Agent': 'alice-phone', 'X-Private': 'no' },
        })
        .subscribe();
    });
    const toCarol = parseMessage(packetsMatching(network, /^INVITE/)[1] ?? '') as SipRequest;
    expect(toCarol.get('x-account')).toBe('42');
    expect(toCarol.get('user-agent')).toBe('alice-phone');
    expect(toCarol.has('x-private')).toBe(false);
    const okToAlice = packetsMatching(network, /^SIP\/2\.0 200/)
      .map((t) => parseMessage(t) as SipResponse)
      .find((r) => r.get('x-b2bua') === 'rxsip');
    expect(okToAlice?.get('x-callee')).toBe('carol');
    expect(okToAlice?.has('x-secret')).toBe(false);
  });

  it('relays 100rel end to end: A PRACKs the B2BUA, which PRACKs C with A’s PRACK body', () => {
    const pracksAtCarol: string[] = [];
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$.pipe(b2bua('sip:carol@10.0.0.3')).subscribe();
      carol.invite$.subscribe((call) => {
        call.req.prack$.subscribe(({ req, res }) => {
          pracksAtCarol.push(req.body);
          res.send(200);
        });
        call.res.send(183, {
          headers: { Require: '100rel', 'Content-Type': 'application/sdp' },
          body: SDP_C,
        });
        timer(1000)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_C })))
          .subscribe();
      });
      alice.call$('sip:carol@10.0.0.2', { prack: 'manual' }).subscribe((p) => {
        if (p.type === 'provisional' && p.prack) p.prack({ body: SDP_A }).subscribe();
      });
    });
    const lines = noTimes(ladder(network));
    expect(lines.slice(0, 8)).toEqual([
      'A->B INVITE',
      'B->C INVITE',
      'C->B 183 Session Progress',
      'B->A 183 Session Progress',
      'A->B PRACK',
      'B->A 200 OK',
      'B->C PRACK',
      'C->B 200 OK',
    ]);
    const relayed = parseMessage(packetsMatching(network, /^SIP\/2\.0 183/)[1] ?? '') as SipResponse;
    expect(relayed.get('require')).toBe('100rel');
    expect(relayed.has('rseq')).toBe(true);
    expect(pracksAtCarol).toEqual([SDP_A]);
  });

  it('late offer end to end: C offers in its 200, A answers in its ACK, which reaches C', () => {
    let carolDialog: Dialog | undefined;
    const network = threeParties(({ alice, bob, carol }) => {
      bob.invite$.pipe(b2bua('sip:carol@10.0.0.3')).subscribe();
      carol.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_C }))).subscribe((d) => (carolDialog = d));
      alice.call$('sip:carol@10.0.0.2', { noAck: true }).subscribe((p) => {
        if (p.type === 'offer') p.ack(SDP_A);
      });
    });
    const invites = packetsMatching(network, /^INVITE/).map((t) => parseMessage(t) as SipRequest);
    expect(invites.map((i) => i.payload.length)).toEqual([0, 0]);
    const acks = packetsMatching(network, /^ACK/).map((t) => parseMessage(t) as SipRequest);
    expect(acks.map((a) => a.body)).toEqual([SDP_A, SDP_A]);
    expect(carolDialog?.remote.sdp).toBe(SDP_A);
  });

  it("relays in-dialog requests; C's re-INVITE before A's ACK waits for it", () => {
    let acks = 0;
    const network = threeParties(
      ({ alice, bob, carol }) => {
        bob.invite$.pipe(b2bua('sip:carol@10.0.0.3'), relayInDialog()).subscribe();
        carol.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_C }))).subscribe((d) => {
          // carol re-INVITEs at once, before alice's ACK has reached bob.
          d.sendReinvite$(SDP_C.replace('carol 3 3', 'carol 3 4')).subscribe();
          timer(3000).subscribe(
            () => void d.send({ method: 'INFO', body: 'Signal=1', contentType: 'application/dtmf-relay' }),
          );
        });
        alice.call$('sip:carol@10.0.0.2', { localSdp: SDP_A }).subscribe();
      },
      // alice's first ACK is lost: she ACKs bob's retransmitted 200 half a second later.
      { drop: (p) => p.data.toString().startsWith('ACK') && p.from === '10.0.0.1:5060' && ++acks === 1 },
    );
    const lines = ladder(network);
    const reinviteToAlice = lines.find((l) => / B->A INVITE$/.test(l));
    const aliceAck = lines.filter((l) => / A->B ACK$/.test(l))[0];
    expect(Number(reinviteToAlice?.split(' ')[0])).toBeGreaterThan(Number(aliceAck?.split(' ')[0]));
    expect(noTimes(lines)).toContain('B->A INFO');
    const infoOk = packetsMatching(network, /^SIP\/2\.0 200/)
      .map((t) => parseMessage(t) as SipResponse)
      .filter((r) => r.cseq.method === 'INFO');
    expect(infoOk).toHaveLength(2);
  });
});
