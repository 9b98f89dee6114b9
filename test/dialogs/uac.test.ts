import { mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type Dialog,
  SipError,
  type SipRequest,
  type SipResponse,
  type UacProgress,
  uas$,
} from '../../src/index.js';
import {
  createChallenge,
  createResponse,
  parseMessage,
  stringifyAuthHeader,
  verifyCredentials,
} from '../../src/sip.js';
import { MemoryEngine } from '../../src/testing/memory-engine.js';
import { asyncCall, flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

function progressOf(events: UacProgress[]): string[] {
  return events.map((e) =>
    e.type === 'request'
      ? 'request'
      : e.type === 'provisional'
        ? `provisional ${e.response.status}`
        : 'dialog',
  );
}

describe('UAC dialogs (in-memory engine, virtual time)', () => {
  it('emits the request, each provisional response, then the dialog; ACKs the 2xx', () => {
    const events: UacProgress[] = [];
    let uas: Dialog | undefined;
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(180);
        timer(3000)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))
          .subscribe((d) => (uas = d));
      });
      alice
        .call$('sip:bob@10.0.0.2', { localSdp: SDP_A, callingNumber: '+15551234', callingName: 'Alice' })
        .subscribe((e) => events.push(e));
    });
    expect(progressOf(events)).toEqual(['request', 'provisional 180', 'dialog']);
    expect(flow(network)).toEqual([
      '0 A->B INVITE',
      '1 B->A 180 Ringing',
      '3001 B->A 200 OK',
      '3002 A->B ACK',
    ]);
    const invite = parseMessage(packetsMatching(network, /^INVITE/)[0] ?? '') as SipRequest;
    expect(invite.from).toMatchObject({ name: 'Alice', uri: 'sip:+15551234@10.0.0.1' });
    expect(invite.get('content-type')).toBe('application/sdp');
    const dialog = (events[2] as { dialog: Dialog }).dialog;
    expect(dialog.type).toBe('uac');
    expect(dialog.remote.sdp).toBe(SDP_B);
    expect(dialog.local.sdp).toBe(SDP_A);
    expect(dialog.sip).toEqual({
      callId: invite.callId,
      localTag: invite.fromTag,
      remoteTag: uas?.sip.localTag,
    });
    const ack = parseMessage(packetsMatching(network, /^ACK/)[0] ?? '') as SipRequest;
    expect(ack.cseq).toEqual({ seq: invite.cseq.seq, method: 'ACK' });
    expect(ack.toTag).toBe(uas?.sip.localTag);
  });

  it('errors with SipError(486) carrying the response', () => {
    const errors: unknown[] = [];
    virtualCall(({ alice, bob }) => {
      bob.invite((_req, res) => res.send(486, 'Busy Here', { headers: { 'X-Why': 'busy' } }));
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe({ error: (e) => errors.push(e) });
    });
    const err = errors[0] as SipError;
    expect(err).toBeInstanceOf(SipError);
    expect(err.status).toBe(486);
    expect(err.reason).toBe('Busy Here');
    expect(err.res?.get('x-why')).toBe('busy');
  });

  it('answers a 407 with Proxy-Authorization and CSeq + 1, and reuses the credentials for a challenged BYE', () => {
    const verified: string[] = [];
    let dialog: Dialog | undefined;
    const challenge = createChallenge({ realm: 'example.com' });
    const network = virtualCall(({ scheduler, network, alice }) => {
      // A bare engine as the challenging peer (an Srf would answer with its defaults too).
      const carol = new MemoryEngine(network, { address: '10.0.0.3' });
      carol.requests$.subscribe((inbound) => {
        const m = inbound.message;
        if (m.method === 'ACK') return;
        const header = m.method === 'INVITE' ? 'proxy-authorization' : 'authorization';
        const credentials = m.getParsedHeader(header)?.[0];
        if (!credentials) {
          const status = m.method === 'INVITE' ? 407 : 401;
          const name = status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
          inbound.respond(
            createResponse(m, status, { headers: { [name]: stringifyAuthHeader(challenge, 'challenge') } }),
          );
          return;
        }
        const ok = verifyCredentials(credentials, { method: m.method, password: 'pw' });
        verified.push(`${m.method} ${m.cseq.seq} ${ok}`);
        inbound.respond(
          createResponse(
            m,
            ok ? 200 : 403,
            m.method === 'INVITE'
              ? {
                  headers: { Contact: '<sip:carol@10.0.0.3>', 'Content-Type': 'application/sdp' },
                  body: SDP_B,
                }
              : {},
          ),
        );
      });
      alice
        .call$('sip:carol@10.0.0.3', { localSdp: SDP_A, auth: { username: 'alice', password: 'pw' } })
        .subscribe((e) => {
          if (e.type === 'dialog') {
            dialog = e.dialog;
            scheduler.schedule(() => void e.dialog.end(), 500);
          }
        });
    });
    expect(dialog).toBeDefined();
    expect(verified).toEqual(['INVITE 2 true', `BYE 4 true`]);
    expect(
      flow(network).map((l) =>
        l.replace(/^\d+ /, '').replace('10.0.0.3:5060->10.0.0.1:5060', 'C->A').replace('A->B', 'A->C'),
      ),
    ).toEqual([
      'A->C INVITE',
      'C->A 407 Proxy Authentication Required',
      'A->C ACK',
      'A->C INVITE',
      'C->A 200 OK',
      'A->C ACK',
      'A->C BYE',
      'C->A 401 Unauthorized',
      'A->C BYE',
      'C->A 200 OK',
    ]);
  });

  it('follows a 302 to its Contact with followRedirects', () => {
    const events: UacProgress[] = [];
    const network = virtualCall(({ alice, bob }) => {
      bob.invite((req, res) => {
        if (req.calledNumber === 'old') res.send(302, { headers: { Contact: '<sip:new@10.0.0.2>' } });
        else bob.createUas(req, res, { localSdp: SDP_B });
      });
      alice
        .call$('sip:old@10.0.0.2', { localSdp: SDP_A, followRedirects: true })
        .subscribe((e) => events.push(e));
    });
    expect(progressOf(events)).toEqual(['request', 'request', 'dialog']);
    const invites = packetsMatching(network, /^INVITE/).map((t) => parseMessage(t) as SipRequest);
    expect(invites.map((i) => i.uri)).toEqual(['sip:old@10.0.0.2', 'sip:new@10.0.0.2']);
    expect(invites[1]?.cseq.seq).toBe((invites[0]?.cseq.seq ?? 0) + 1);
    expect(invites[1]?.callId).toBe(invites[0]?.callId);
  });

  it('sends CANCEL when unsubscribed after a provisional; the INVITE ends 487 and is ACKed', () => {
    const network = virtualCall(({ alice, bob }) => {
      bob.invite((_req, res) => res.send(180));
      const sub = alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
      timer(2000).subscribe(() => sub.unsubscribe());
    });
    expect(flow(network)).toEqual([
      '0 A->B INVITE',
      '1 B->A 180 Ringing',
      '2000 A->B CANCEL',
      '2001 B->A 200 OK',
      '2001 B->A 487 Request Terminated',
      '2002 A->B ACK',
    ]);
  });

  it('holds the CANCEL until a provisional response arrives (RFC 3261 §9.1)', () => {
    const network = virtualCall(({ alice, bob }) => {
      bob.invite((_req, res) => {
        timer(1000).subscribe(() => res.send(183));
      });
      const sub = alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
      timer(100).subscribe(() => sub.unsubscribe());
    });
    // bob's stack sends 100 Trying after 200 ms; the CANCEL waits for it.
    expect(flow(network).slice(0, 4)).toEqual([
      '0 A->B INVITE',
      '201 B->A 100 Trying',
      '202 A->B CANCEL',
      '203 B->A 200 OK',
    ]);
  });

  it('ACKs and BYEs a 2xx that beats the CANCEL', () => {
    let bobSawBye = false;
    const network = virtualCall(
      ({ alice, bob }) => {
        bob.invite$.subscribe((call) => {
          call.res.send(180);
          timer(1000)
            .pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))
            .subscribe((d) => d.ended$.subscribe((end) => (bobSawBye = end.reason === 'normal-release')));
        });
        const sub = alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
        // Cancelled as the 200 is on its way (latency 5 ms).
        timer(1003).subscribe(() => sub.unsubscribe());
      },
      { latency: 5 },
    );
    expect(flow(network)).toEqual(
      [
        '0 A->B INVITE',
        '5 B->A 180 Ringing',
        '1005 B->A 200 OK',
        '1003 A->B CANCEL',
        '1008 B->A 200 OK',
        '1010 A->B ACK',
        '1010 A->B BYE',
        '1015 B->A 200 OK',
      ].sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0])),
    );
    expect(bobSawBye).toBe(true);
  });

  it('drachtio-style: createUac rejects with SipError(487) when cbRequest’s req.cancel() is used', async () => {
    await asyncCall(async ({ alice, bob, scheduler }) => {
      bob.invite((_req, res) => res.send(180));
      const outcome = alice.createUac(
        'sip:bob@10.0.0.2',
        { localSdp: SDP_A },
        {
          cbRequest: (_err, req) => scheduler.schedule(() => req.cancel(), 20),
          cbProvisional: (res: SipResponse) => expect(res.status).toBe(180),
        },
      );
      await expect(outcome).rejects.toMatchObject({ name: 'SipError', status: 487 });
    });
  });
});
