import { mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Dialog, type SipError, uas$ } from '../../src/index.js';
import { connected, flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

describe('glare (RFC 3261 §14, RFC 3311 §5.2; virtual time)', () => {
  it('both sides re-INVITE at once: each gets 491, and retries after its back-off (owner 2.1-4 s, other 0-2 s)', () => {
    const results: string[] = [];
    // random() = 0.5: the Call-ID owner (alice, the UAC) waits 2.1 s + 950 ms; bob waits 1 s.
    const network = virtualCall(
      (call) =>
        connected(call, (uac, uas) => {
          uac.sendReinvite$(SDP_A.replace('alice 1 1', 'alice 1 2')).subscribe({
            next: (r) => r.status === 200 && results.push(`alice 200 at ${call.scheduler.now()}`),
            error: (e) => results.push(`alice error ${e}`),
          });
          uas.sendReinvite$(SDP_B.replace('bob 2 2', 'bob 2 3')).subscribe({
            next: (r) => r.status === 200 && results.push(`bob 200 at ${call.scheduler.now()}`),
            error: (e) => results.push(`bob error ${e}`),
          });
        }),
      {},
      () => 0.5,
    );
    const lines = flow(network).filter((l) => / (INVITE|491 Request Pending|200 OK)$/.test(l));
    expect(
      lines
        .slice(2, 6)
        .map((l) => l.replace(/^\d+ /, ''))
        .sort(),
    ).toEqual(['A->B 491 Request Pending', 'A->B INVITE', 'B->A 491 Request Pending', 'B->A INVITE']);
    // Each 491 arrives at 14 ms: bob retries 1 s later (1014), alice 3.05 s later (3064).
    expect(lines.filter((l) => / INVITE$/.test(l)).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      '0 A->B',
      '12 A->B',
      '12 B->A',
      '1014 B->A',
      '3064 A->B',
    ]);
    expect(results).toEqual(['bob 200 at 1016', 'alice 200 at 3066']);
  });

  it('an UPDATE offer meeting our pending UPDATE offer gets 491', () => {
    const statuses: Record<string, number> = {};
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        uac
          .sendUpdate$({ body: SDP_A.replace('alice 1 1', 'alice 1 2') })
          .subscribe((r) => (statuses.alice = r.status));
        uas
          .sendUpdate$({ body: SDP_B.replace('bob 2 2', 'bob 2 3') })
          .subscribe((r) => (statuses.bob = r.status));
      }),
    );
    expect(statuses).toEqual({ alice: 491, bob: 491 });
  });

  // The peer's side (500 with Retry-After to such an UPDATE) is proven against SIPp, which can break
  // the rule: test/sipp/uas-update-during-reinvite.xml.
  it('refuses to send an UPDATE offer while our re-INVITE offer waits for its answer (RFC 3311 §5.1), and sends one after it', () => {
    const answers: string[] = [];
    const network = virtualCall(
      (call) => {
        let uas: Dialog | undefined;
        call.bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe((dialog) => {
          uas = dialog;
          // Bob's application takes 500 ms to answer a re-INVITE.
          dialog.reinvite$.subscribe(({ res }) => timer(500).subscribe(() => res.send(200, { body: SDP_B })));
        });
        call.alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe((p) => {
          if (p.type !== 'dialog') return;
          const uac = p.dialog;
          timer(10).subscribe(() => {
            uac
              .sendReinvite$(SDP_A.replace('alice 1 1', 'alice 1 2'))
              .subscribe((r) => r.status >= 200 && answers.push(`INVITE ${r.status}`));
            timer(20).subscribe(() =>
              uac.sendUpdate$({ body: SDP_A.replace('alice 1 1', 'alice 1 3') }).subscribe({
                next: (r) => answers.push(`UPDATE ${r.status}`),
                error: (err: Error) => answers.push(`UPDATE refused: ${err.message.split(':')[0]}`),
              }),
            );
            timer(1000).subscribe(() =>
              uas?.sendUpdate$({ body: SDP_B.replace('bob 2 2', 'bob 2 3') }).subscribe((r) => {
                answers.push(`bob UPDATE ${r.status}`);
              }),
            );
          });
        });
      },
      {},
      () => 0.5,
    );
    expect(answers).toEqual([
      'UPDATE refused: cannot make an offer now (offer-outstanding)',
      'INVITE 200',
      'bob UPDATE 200',
    ]);
    expect(packetsMatching(network, /^UPDATE/)).toHaveLength(1);
  });

  it('the 491 retry can be cancelled by unsubscribing during the back-off', () => {
    const outcomes: string[] = [];
    const network = virtualCall(
      (call) =>
        connected(call, (uac, uas) => {
          const sub = uac.sendReinvite$(SDP_A.replace('alice 1 1', 'alice 1 2')).subscribe({
            error: (e: SipError) => outcomes.push(`error ${e.status}`),
          });
          uas.sendReinvite$(SDP_B.replace('bob 2 2', 'bob 2 3')).subscribe();
          timer(100).subscribe(() => sub.unsubscribe());
        }),
      {},
      () => 0.5,
    );
    const invites = flow(network).filter((l) => / A->B INVITE$/.test(l));
    expect(invites).toHaveLength(2); // the first INVITE and its first re-INVITE: no retry
    expect(outcomes).toEqual([]);
  });
});
