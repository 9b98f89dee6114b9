import { mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Dialog, type SipRequest, sdpDirection, type UacProgress, uas$ } from '../../src/index.js';
import { parseMessage } from '../../src/sip.js';
import { asyncCall, flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

describe('late offer and third-party call control (virtual time)', () => {
  it('UAS answers an INVITE without SDP with an offer and takes the answer from the ACK; the UAC answers with ack(sdp)', () => {
    let uas: Dialog | undefined;
    const acks: string[] = [];
    let offer: UacProgress | undefined;
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe((d) => {
        uas = d;
        d.ack$.subscribe((ack) => acks.push(ack.body));
      });
      alice.call$('sip:bob@10.0.0.2', { noAck: true }).subscribe((p) => {
        if (p.type === 'offer') {
          offer = p;
          // The application takes 1.2 s to produce its answer (a media server, in 3pcc).
          timer(1200).subscribe(() => p.ack(SDP_A));
        }
      });
    });
    expect(offer?.type).toBe('offer');
    expect(offer?.type === 'offer' && offer.sdp).toBe(SDP_B);
    const invite = parseMessage(packetsMatching(network, /^INVITE/)[0] ?? '') as SipRequest;
    expect(invite.payload.length).toBe(0);
    // bob resent his 200 while alice had not answered; alice ACKed once, with her answer.
    expect(flow(network).filter((l) => / (200 OK|ACK)$/.test(l))).toEqual([
      '1 B->A 200 OK',
      '501 B->A 200 OK',
      '1202 A->B ACK',
    ]);
    expect(acks).toEqual([SDP_A]);
    expect(uas?.remote.sdp).toBe(SDP_A);
    expect(uas?.local.sdp).toBe(SDP_B);
  });

  it('without noAck, a late-offer 2xx is ACKed at once with the offer marked recvonly (drachtio-srf)', () => {
    let dialog: Dialog | undefined;
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe();
      alice.call$('sip:bob@10.0.0.2').subscribe((p) => {
        if (p.type === 'dialog') dialog = p.dialog;
      });
    });
    const ack = parseMessage(packetsMatching(network, /^ACK/)[0] ?? '') as SipRequest;
    expect(sdpDirection(ack.body)).toBe('recvonly');
    expect(dialog?.remote.sdp).toBe(SDP_B);
    expect(sdpDirection(dialog?.local.sdp ?? '')).toBe('recvonly');
  });

  it('drachtio-style: createUac with noAck resolves {sdp, res, ack}; ack(sdp) resolves with the dialog', async () => {
    await asyncCall(async ({ alice, bob }) => {
      bob.invite((req, res) => void bob.createUas(req, res, { localSdp: SDP_B }));
      const late = await alice.createUac('sip:bob@10.0.0.2', { noAck: true });
      if (!('ack' in late)) throw new Error('expected the 3pcc shape');
      expect(late.sdp).toBe(SDP_B);
      expect(late.res.status).toBe(200);
      const dialog = await late.ack(SDP_A);
      expect(dialog.local.sdp).toBe(SDP_A);
      await dialog.end();
    });
  });
});
