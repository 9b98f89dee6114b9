import { mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Dialog, type DialogEnd, type SipResponse, uas$ } from '../../src/index.js';
import { createRequest, parseMessage } from '../../src/sip.js';
import { asyncCall, flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

describe('UAS dialogs (in-memory engine, virtual time)', () => {
  it('answers with 200, SDP, Contact and the Record-Route, and emits the dialog when the 200 is sent', () => {
    const dialogs: Array<{ at: number; dialog: Dialog }> = [];
    let uacDialog: Dialog | undefined;
    const network = virtualCall(({ scheduler, alice, bob }) => {
      bob.invite$
        .pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B, headers: { 'X-App': 'yes' } })))
        .subscribe((dialog) => dialogs.push({ at: scheduler.now(), dialog }));
      alice
        .call$('sip:bob@10.0.0.2', { localSdp: SDP_A, headers: { 'Record-Route': '<sip:10.0.0.2;lr>' } })
        .subscribe((p) => {
          if (p.type === 'dialog') uacDialog = p.dialog;
        });
    });
    expect(flow(network)).toEqual(['0 A->B INVITE', '1 B->A 200 OK', '2 A->B ACK']);
    const ok = parseMessage(packetsMatching(network, /^SIP\/2\.0 200/)[0] ?? '') as SipResponse;
    expect(ok.body).toBe(SDP_B);
    expect(ok.get('content-type')).toBe('application/sdp');
    expect(ok.get('contact')).toBe('<sip:10.0.0.2:5060>');
    expect(ok.get('record-route')).toBe('<sip:10.0.0.2;lr>');
    expect(ok.get('x-app')).toBe('yes');
    expect(dialogs.map((d) => d.at)).toEqual([1]);
    const dialog = dialogs[0]?.dialog as Dialog;
    expect(dialog.type).toBe('uas');
    expect(dialog.dialogType).toBe('INVITE');
    expect(dialog.sip.localTag).toBe(ok.toTag);
    expect(dialog.sip.remoteTag).toBe(ok.fromTag);
    expect(dialog.local).toMatchObject({ sdp: SDP_B, uri: 'sip:10.0.0.2:5060' });
    expect(dialog.remote).toMatchObject({ sdp: SDP_A, uri: 'sip:10.0.0.1:5060' });
    expect(dialog.state).toBe('confirmed');
    expect(uacDialog?.sip.callId).toBe(dialog.sip.callId);
  });

  it('resends the 200 at T1 doubling to T2 until the ACK arrives (RFC 3261 §13.3.1.4)', () => {
    let acks = 0;
    const network = virtualCall(
      ({ alice, bob }) => {
        bob.invite$.pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B }))).subscribe();
        alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
      },
      // The first three ACKs are lost.
      { drop: (p) => p.data.toString().startsWith('ACK') && ++acks <= 3 },
    );
    expect(flow(network)).toEqual([
      '0 A->B INVITE',
      '1 B->A 200 OK',
      '2 A->B ACK (lost)',
      '501 B->A 200 OK',
      '502 A->B ACK (lost)',
      '1501 B->A 200 OK',
      '1502 A->B ACK (lost)',
      '3501 B->A 200 OK',
      '3502 A->B ACK',
    ]);
  });

  it('ends the dialog with BYE after 64*T1 without an ACK, with the reason visible', () => {
    const ends: Array<{ at: number; end: DialogEnd }> = [];
    const network = virtualCall(
      ({ scheduler, alice, bob }) => {
        bob.invite$
          .pipe(mergeMap((call) => uas$(call, { localSdp: SDP_B })))
          .subscribe((dialog) => dialog.ended$.subscribe((end) => ends.push({ at: scheduler.now(), end })));
        alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe();
      },
      { drop: (p) => p.data.toString().startsWith('ACK') },
    );
    const resends = flow(network)
      .filter((l) => l.endsWith('B->A 200 OK'))
      .map((l) => Number(l.split(' ')[0]));
    expect(resends).toEqual([1, 501, 1501, 3501, 7501, 11501, 15501, 19501, 23501, 27501, 31501]);
    expect(ends).toEqual([
      { at: 32001, end: expect.objectContaining({ reason: 'ack-timeout', initiator: 'local' }) },
    ]);
    expect(flow(network)).toContain('32001 B->A BYE');
  });

  it('a 200 sent with res.send makes the dialog too: Contact added, resent until the ACK, BYE answered', () => {
    let acks = 0;
    const network = virtualCall(
      ({ scheduler, alice, bob }) => {
        bob.invite$.subscribe(({ res }) =>
          res.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: SDP_B }),
        );
        alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe((p) => {
          if (p.type === 'dialog') scheduler.schedule(() => p.dialog.end$().subscribe(), 5000);
        });
      },
      // The first ACK is lost: the 200 is resent at T1 (RFC 3261 §13.3.1.4).
      { drop: (p) => p.data.toString().startsWith('ACK') && ++acks <= 1 },
    );
    expect(flow(network)).toEqual([
      '0 A->B INVITE',
      '1 B->A 200 OK',
      '2 A->B ACK (lost)',
      '501 B->A 200 OK',
      '502 A->B ACK',
      '5002 A->B BYE',
      '5003 B->A 200 OK',
    ]);
    const ok = parseMessage(packetsMatching(network, /^SIP\/2\.0 200/)[0] ?? '') as SipResponse;
    expect(ok.get('contact')).toBe('<sip:10.0.0.2:5060>');
  });

  it('completes without a dialog when the caller cancels before the answer; res.final$ tells the 487', () => {
    const outcomes: string[] = [];
    const network = virtualCall(({ alice, bob }) => {
      bob.invite$.subscribe((call) => {
        call.res.send(180);
        call.res.final$.subscribe((final) => outcomes.push(`final ${final.status}`));
        // The application answers after 2 s; the caller gives up at 1 s.
        timer(2000)
          .pipe(mergeMap(() => uas$(call, { localSdp: SDP_B })))
          .subscribe({
            next: () => outcomes.push('dialog'),
            error: () => outcomes.push('error'),
            complete: () => outcomes.push('complete'),
          });
      });
      const sub = alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe({ error: () => undefined });
      timer(1000).subscribe(() => sub.unsubscribe());
    });
    expect(outcomes).toEqual(['final 487', 'complete']);
    expect(flow(network)).toEqual([
      '0 A->B INVITE',
      '1 B->A 180 Ringing',
      '1000 A->B CANCEL',
      '1001 B->A 200 OK',
      '1001 B->A 487 Request Terminated',
      '1002 A->B ACK',
    ]);
  });

  it.each([
    ['after a 180 (an early dialog)', true],
    ['before any provisional response', false],
  ])(
    'a call the caller cancels %s has one CDR stop: call-canceled, from the network, with the CANCEL',
    (_, ring) => {
      const cdrs: string[] = [];
      virtualCall(({ alice, bob }) => {
        bob.cdr$.subscribe((c) =>
          cdrs.push(
            `${c.type}:${c.source}${c.type === 'stop' ? `:${c.reason}:${c.msg.startLine.split(' ')[0]}` : ''}`,
          ),
        );
        bob.invite$.subscribe((call) => {
          if (ring) call.res.send(180);
        });
        const sub = alice
          .call$('sip:bob@10.0.0.2', { localSdp: SDP_A })
          .subscribe({ error: () => undefined });
        timer(1000).subscribe(() => sub.unsubscribe());
      });
      expect(cdrs).toEqual(['attempt:network', 'stop:network:call-canceled:CANCEL']);
    },
  );

  it('answers an INVITE without Contact with 400 and completes without a dialog', () => {
    const outcomes: string[] = [];
    const replies: string[] = [];
    virtualCall(({ network, bob }) => {
      bob.invite$.subscribe((call) =>
        uas$(call, { localSdp: SDP_B }).subscribe({
          next: () => outcomes.push('dialog'),
          error: () => outcomes.push('error'),
          complete: () => outcomes.push('complete'),
        }),
      );
      // The engine adds a Contact to INVITEs it sends, so this one is written by hand.
      const peer = { protocol: 'udp' as const, address: '10.0.0.3', port: 5060 };
      network.bind(peer, (data) => replies.push(data.toString().split('\r\n')[0] ?? ''));
      const invite = createRequest({
        method: 'INVITE',
        uri: 'sip:bob@10.0.0.2',
        from: '<sip:carol@10.0.0.3>',
        body: SDP_A,
        contentType: 'application/sdp',
      });
      invite.append('Via', 'SIP/2.0/UDP 10.0.0.3:5060;branch=z9hG4bKnocontact', { first: true });
      network.send(peer, { address: '10.0.0.2', port: 5060 }, invite.toBuffer());
    });
    expect(outcomes).toEqual(['complete']);
    // Resent by Timer G, since this peer never ACKs: always the same 400.
    expect([...new Set(replies)]).toEqual(['SIP/2.0 400 Missing Contact']);
  });

  it('drachtio-style: srf.createUas resolves with the dialog; CDRs record attempt, start, stop', async () => {
    const types: string[] = [];
    const network = await asyncCall(async ({ alice, bob }) => {
      bob.cdr$.subscribe((c) =>
        types.push(`${c.type}:${c.source}${c.type === 'stop' ? `:${c.reason}` : ''}`),
      );
      const answered = new Promise<Dialog>((resolve, reject) =>
        bob.invite((req, res) =>
          bob.createUas(req, res, { localSdp: SDP_B }, (err, dialog) =>
            err ? reject(err) : resolve(dialog as Dialog),
          ),
        ),
      );
      const caller = alice.createUac('sip:bob@10.0.0.2', { localSdp: SDP_A });
      const [uas, uac] = await Promise.all([answered, caller]);
      expect(uas.sip.callId).toBe(uac.sip.callId);
      const ended = new Promise<DialogEnd>((resolve) => uac.ended$.subscribe(resolve));
      const bye = await uas.end();
      expect(bye?.method).toBe('BYE');
      expect(await ended).toMatchObject({ reason: 'normal-release', initiator: 'remote' });
      expect(bob.dialogCount).toBe(0);
      expect(alice.dialogCount).toBe(0);
    });
    expect(flow(network).map((l) => l.replace(/^\d+ /, ''))).toEqual([
      'A->B INVITE',
      'B->A 200 OK',
      'A->B ACK',
      'B->A BYE',
      'A->B 200 OK',
    ]);
    expect(types).toEqual(['attempt:network', 'start:network', 'stop:application:normal-release']);
  });
});
