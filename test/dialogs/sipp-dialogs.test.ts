import { createHash } from 'node:crypto';
import { filter, firstValueFrom, map, mergeMap, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SentRequest } from '../../src/drachtio.js';
import { type DialogEnd, SipError, type SipRequest, uas$ } from '../../src/index.js';
import type { SippResult } from '../support/sipp.js';
import { expectClean, onInvite, sippParties } from '../support/sipp-parties.js';
import { APP_SDP, RXSIP_SDP } from '../support/sipp-sdp.js';
import { all, branchOf, cseqOf, find, header, ladder, tagOf, trace } from '../support/sipp-trace.js';

// The dialog layer against SIPp on 127.0.0.1 over UDP: rxsip runs here, SIPp plays the other UA
// with a scenario from test/sipp/ per case. Every test checks what SIPp saw on the wire (its
// message trace and success count) and what the application saw (dialogs, observables, promises).

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

// One rxsip and the SIPp instances of each test, all gone after it; SIPp calls `sip:rxsip@...`.
const { rxsip, caller: sippCalls, callee: sippCallee } = sippParties({ service: 'rxsip' });

// --- rxsip answers ---------------------------------------------------------------------------

describe('UAS dialogs: SIPp calls rxsip', () => {
  it('the caller hangs up: BYE answered 200, destroy$ emits normal-release from remote, no dialog left', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      const count = srf.dialogCount;
      dialog.ended$.subscribe((end) => ends.push(end));
      return { dialog, count };
    });
    const result = await sippCalls('uas-caller-hangs-up', port);
    const { dialog, count } = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(ok.body).toBe(RXSIP_SDP);
    expect(header(ok, 'content-type')).toBe('application/sdp');
    expect(header(ok, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    expect(tagOf(header(ok, 'to'))).toBe(dialog.sip.localTag);

    expect(count).toBe(1);
    expect(dialog.type).toBe('uas');
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE').body);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ reason: 'normal-release', initiator: 'remote' });
    expect(ends[0]?.req?.method).toBe('BYE');
    expect(ends[0]?.req?.callId).toBe(header(find(wire, 'sipp', 'BYE'), 'call-id'));
    expect(dialog.state).toBe('terminated');
    expect(srf.dialogCount).toBe(0);
  });

  it('rxsip hangs up after the ACK: SIPp gets a BYE in the dialog and answers 200', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const hungUp = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.ended$.subscribe((end) => ends.push(end));
      const ack = await firstValueFrom(dialog.ack$);
      const bye = await dialog.end();
      return { dialog, ack, bye };
    });
    const result = await sippCalls('uas-rxsip-hangs-up', port);
    const { dialog, ack, bye } = await hungUp;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const invite = find(wire, 'sipp', 'INVITE');
    const sent = find(wire, 'rxsip', 'BYE');
    // RFC 3261 §12.2.1.1: to the remote target, with the dialog's Call-ID and tags.
    expect(sent.uri).toBe(`sip:sipp@127.0.0.1:${result.port};transport=UDP`);
    expect(header(sent, 'call-id')).toBe(header(invite, 'call-id'));
    expect(tagOf(header(sent, 'from'))).toBe(tagOf(header(find(wire, 'rxsip', '200 INVITE'), 'to')));
    expect(tagOf(header(sent, 'to'))).toBe(tagOf(header(invite, 'from')));
    expect(cseqOf(sent).method).toBe('BYE');

    expect(ack.method).toBe('ACK');
    expect(bye?.method).toBe('BYE');
    expect(bye?.callId).toBe(header(sent, 'call-id'));
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'local' })]);
    expect(dialog.state).toBe('terminated');
    expect(srf.dialogCount).toBe(0);
  });

  it('re-INVITE, INFO and NOTIFY nobody listens to get the default answers: 200 with the local SDP, 200, 200', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const acks: SipRequest[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.ack$.subscribe((ack) => acks.push(ack));
      dialog.ended$.subscribe((end) => ends.push(end));
      return dialog;
    });
    const result = await sippCalls('uas-in-dialog-defaults', port);
    const dialog = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INFO',
      'rxsip 200 INFO',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const reinviteOk = find(wire, 'rxsip', '200 INVITE', 1);
    expect(cseqOf(reinviteOk).seq).toBe(2);
    expect(reinviteOk.body).toBe(RXSIP_SDP);
    expect(header(reinviteOk, 'content-type')).toBe('application/sdp');
    expect(header(reinviteOk, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    expect(find(wire, 'rxsip', '200 INFO').body).toBe('');
    expect(find(wire, 'rxsip', '200 NOTIFY').body).toBe('');

    // The re-INVITE's offer is now the remote SDP; ours is unchanged.
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE', 1).body);
    expect(dialog.remote.sdp).toContain('s=sipp-reoffer');
    expect(dialog.local.sdp).toBe(RXSIP_SDP);
    // Both ACKs reached the dialog: the one for the first 200 and the one for the re-INVITE's.
    expect(acks.map((a) => a.cseq.seq)).toEqual([1, 2]);
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'remote' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it('subscribers of modify$, info$ and notify$ get the requests and answer them themselves', async () => {
    const { srf, port } = await rxsip();
    const seen: { modify: SipRequest[]; info: SipRequest[]; notify: SipRequest[] } = {
      modify: [],
      info: [],
      notify: [],
    };
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.reinvite$.subscribe(({ req: reinvite, res: answer }) => {
        seen.modify.push(reinvite);
        answer.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: APP_SDP });
      });
      dialog.info$.subscribe(({ req: info, res: answer }) => {
        seen.info.push(info);
        answer.send(202);
      });
      dialog.notify$.subscribe(({ req: notify, res: answer }) => {
        seen.notify.push(notify);
        answer.send(200, { headers: { 'X-Answered-By': 'notify$' } });
      });
      return dialog;
    });
    const result = await sippCalls('uas-in-dialog-app-answers', port);
    const dialog = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INFO',
      'rxsip 202 INFO',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const reinviteOk = find(wire, 'rxsip', '200 INVITE', 1);
    expect(reinviteOk.body).toBe(APP_SDP);
    expect(header(reinviteOk, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    expect(header(find(wire, 'rxsip', '200 NOTIFY'), 'x-answered-by')).toBe('notify$');

    expect(seen.modify.map((r) => r.body)).toEqual([find(wire, 'sipp', 'INVITE', 1).body]);
    expect(seen.info.map((r) => [r.get('content-type'), r.body])).toEqual([
      ['application/dtmf-relay', find(wire, 'sipp', 'INFO').body],
    ]);
    expect(seen.notify.map((r) => [r.get('event'), r.body])).toEqual([
      ['refer', find(wire, 'sipp', 'NOTIFY').body],
    ]);
    // The application's answer is now our SDP, the re-offer the peer's.
    expect(dialog.local.sdp).toBe(APP_SDP);
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE', 1).body);
    expect(srf.dialogCount).toBe(0);
  });

  it('hold and unhold from SIPp (uas$): hold$ then unhold$ emit, onHold flips, both answered with the local SDP', async () => {
    const { srf, port } = await rxsip();
    const holds: Array<{ onHold: boolean; offer: string }> = [];
    const unholds: Array<{ onHold: boolean; offer: string }> = [];
    const dialog = firstValueFrom(
      srf.invite$.pipe(
        mergeMap((call) => uas$(call, { localSdp: RXSIP_SDP })),
        tap((d) => {
          d.hold$.subscribe((req) => holds.push({ onHold: d.onHold, offer: req.body }));
          d.unhold$.subscribe((req) => unholds.push({ onHold: d.onHold, offer: req.body }));
        }),
      ),
    );
    const result = await sippCalls('uas-hold-unhold', port);
    const held = await dialog;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const holdOffer = find(wire, 'sipp', 'INVITE', 1).body;
    const unholdOffer = find(wire, 'sipp', 'INVITE', 2).body;
    expect(holdOffer).toContain('a=sendonly');
    expect(unholdOffer).toContain('a=sendrecv');
    // RFC 3264 §6.1: sendonly is answered recvonly; each changed answer bumps the o= version (§8).
    const version = (sdp: string) => /^o=\S+ \S+ (\d+)/m.exec(sdp)?.[1];
    const holdAnswer = find(wire, 'rxsip', '200 INVITE', 1).body;
    const unholdAnswer = find(wire, 'rxsip', '200 INVITE', 2).body;
    expect(holdAnswer).toMatch(/^a=recvonly\r?$/m);
    expect(holdAnswer).not.toMatch(/^a=sendrecv/m);
    expect(unholdAnswer).toMatch(/^a=sendrecv\r?$/m);
    expect([version(holdAnswer), version(unholdAnswer)]).toEqual(['2', '3']);

    expect(holds).toEqual([{ onHold: true, offer: holdOffer }]);
    expect(unholds).toEqual([{ onHold: false, offer: unholdOffer }]);
    expect(held.onHold).toBe(false);
    expect(held.remote.sdp).toBe(unholdOffer);
    expect(srf.dialogCount).toBe(0);
  });

  /** rxsip answers, waits for the ACK, puts SIPp on hold with modify('hold'), then hangs up. */
  async function holdSipp() {
    const { srf, port } = await rxsip();
    const held = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      await firstValueFrom(dialog.ack$);
      const remote = await dialog.sendReinvite('hold');
      const onHold = dialog.onHold;
      const localWhileHeld = dialog.local.sdp;
      await dialog.end();
      return { dialog, remote, onHold, localWhileHeld };
    });
    const result = await sippCalls('uas-held-by-rxsip', port);
    return { srf, result, wire: trace(result), ...(await held) };
  }

  it("rxsip puts SIPp on hold with modify('hold'): a re-INVITE saying a=inactive, answered 200 and ACKed", async () => {
    const { srf, result, wire, remote, onHold, localWhileHeld } = await holdSipp();

    expectClean(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const reinvite = find(wire, 'rxsip', 'INVITE');
    const ack = find(wire, 'rxsip', 'ACK');
    expect(reinvite.uri).toBe(`sip:sipp@127.0.0.1:${result.port};transport=UDP`);
    expect(header(reinvite, 'content-type')).toBe('application/sdp');
    expect(reinvite.body).toMatch(/^a=inactive\r?$/m);
    expect(reinvite.body).not.toMatch(/^a=(sendrecv|sendonly|recvonly)/m);
    expect(tagOf(header(reinvite, 'to'))).toBe(tagOf(header(find(wire, 'sipp', 'INVITE'), 'from')));
    // RFC 3261 §13.2.2.4: the ACK has the re-INVITE's CSeq number, its own branch.
    expect(cseqOf(ack)).toEqual({ seq: cseqOf(reinvite).seq, method: 'ACK' });
    expect(branchOf(ack)).not.toBe(branchOf(reinvite));
    expect(cseqOf(find(wire, 'rxsip', 'BYE')).seq).toBeGreaterThan(cseqOf(reinvite).seq);

    expect(remote).toBe(find(wire, 'sipp', '200 INVITE', 0).body);
    expect(remote).toContain('s=sipp-held');
    expect(onHold).toBe(true);
    expect(localWhileHeld).toMatch(/^a=inactive\r?$/m);
    expect(srf.dialogCount).toBe(0);
  });

  // RFC 3264 §8: a re-offer that changes the session keeps the o= line but increments its version.
  it("rxsip's hold re-offer increments the SDP o= version (RFC 3264 §8)", async () => {
    const { wire } = await holdSipp();
    const origin = (sdp: string) => /^o=(\S+) (\S+) (\d+)/m.exec(sdp)?.slice(1);
    const first = origin(find(wire, 'rxsip', '200 INVITE').body);
    const reoffer = origin(find(wire, 'rxsip', 'INVITE').body);
    expect(first).toEqual(['rxsip', '2890844526', '1']);
    expect(reoffer).toEqual(['rxsip', '2890844526', '2']);
  });
});

// --- rxsip calls ---------------------------------------------------------------------------

describe('UAC dialogs: rxsip calls SIPp', () => {
  it('180 then 200: cbProvisional sees 180, the dialog has SIPp SDP, SIPp gets the ACK; SIPp hangs up', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-ringing-then-answered-callee-hangs-up');
    const provisional: number[] = [];
    const dialog = await srf.createUac(
      sipp.uri,
      { localSdp: RXSIP_SDP },
      { cbProvisional: (res) => provisional.push(res.status) },
    );
    const count = srf.dialogCount;
    const end = await firstValueFrom(dialog.ended$);
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const invite = find(wire, 'rxsip', 'INVITE');
    const ok = find(wire, 'sipp', '200 INVITE');
    const ack = find(wire, 'rxsip', 'ACK');
    expect(invite.body).toBe(RXSIP_SDP);
    expect(header(invite, 'content-type')).toBe('application/sdp');
    // RFC 3261 §13.2.2.4: the ACK goes to the 2xx's Contact, with the INVITE's CSeq number.
    expect(ack.uri).toBe(`sip:sipp@127.0.0.1:${sipp.port};transport=UDP`);
    expect(cseqOf(ack)).toEqual({ seq: cseqOf(invite).seq, method: 'ACK' });
    expect(tagOf(header(ack, 'to'))).toBe(tagOf(header(ok, 'to')));

    expect(provisional).toEqual([180]);
    expect(count).toBe(1);
    expect(dialog.type).toBe('uac');
    expect(dialog.remote.sdp).toBe(ok.body);
    expect(dialog.remote.sdp).toContain('s=sipp-callee');
    expect(dialog.sip.remoteTag).toBe(tagOf(header(ok, 'to')));
    expect(end).toMatchObject({ reason: 'normal-release', initiator: 'remote' });
    expect(end.req?.method).toBe('BYE');
    expect(srf.dialogCount).toBe(0);
  });

  it('a 200 retransmitted after the call was answered is ACKed again with the same ACK (RFC 3261 §13.2.2.4)', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-200-retransmitted');
    const dialog = await srf.createUac(sipp.uri, { localSdp: RXSIP_SDP });
    const end = await firstValueFrom(dialog.ended$);
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'sipp 200 INVITE',
      'rxsip ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const [first, again] = all(wire, 'rxsip', 'ACK');
    // The same ACK: Request-URI, CSeq, From, To and Call-ID (its Via is the transport's own).
    expect(again?.uri).toBe(first?.uri);
    for (const name of ['cseq', 'from', 'to', 'call-id', 'max-forwards'])
      expect(header(again, name)).toBe(header(first, name));
    expect(cseqOf(again)).toEqual({ seq: cseqOf(find(wire, 'rxsip', 'INVITE')).seq, method: 'ACK' });
    expect(end).toMatchObject({ reason: 'normal-release', initiator: 'remote' });
  });

  it('180 then 200 through call$: request, provisional 180, dialog; rxsip hangs up and SIPp answers the BYE', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-ringing-then-answered-caller-hangs-up');
    const progress: string[] = [];
    const dialog = await firstValueFrom(
      srf.call$(sipp.uri, { localSdp: RXSIP_SDP }).pipe(
        tap((p) => progress.push(p.type === 'provisional' ? `provisional ${p.response.status}` : p.type)),
        filter((p) => p.type === 'dialog'),
        map((p) => p.dialog),
      ),
    );
    const ends: DialogEnd[] = [];
    dialog.ended$.subscribe((end) => ends.push(end));
    const bye = await dialog.end();
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const sent = find(wire, 'rxsip', 'BYE');
    expect(sent.uri).toBe(`sip:sipp@127.0.0.1:${sipp.port};transport=UDP`);
    expect(tagOf(header(sent, 'to'))).toBe(tagOf(header(find(wire, 'sipp', '200 INVITE'), 'to')));
    expect(cseqOf(sent).seq).toBeGreaterThan(cseqOf(find(wire, 'rxsip', 'INVITE')).seq);

    expect(progress).toEqual(['request', 'provisional 180', 'dialog']);
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', '200 INVITE').body);
    expect(bye?.method).toBe('BYE');
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'local' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it('401 challenge: the INVITE is sent again with Authorization, which SIPp verifies, then answered 200', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-401-challenge', { user: 'alice', password: 'secret' });
    const dialog = await srf.createUac(sipp.uri, {
      localSdp: RXSIP_SDP,
      auth: { username: 'alice', password: 'secret' },
    });
    await dialog.end();
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 401 INVITE',
      'rxsip ACK',
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const [first, second] = [find(wire, 'rxsip', 'INVITE', 0), find(wire, 'rxsip', 'INVITE', 1)];
    expect(header(first, 'authorization')).toBeUndefined();
    expect(header(second, 'authorization')).toMatch(/^Digest .*username="alice"/);
    // RFC 3261 §22.2: same Call-ID and From tag, CSeq + 1.
    expect(header(second, 'call-id')).toBe(header(first, 'call-id'));
    expect(tagOf(header(second, 'from'))).toBe(tagOf(header(first, 'from')));
    expect(cseqOf(second).seq).toBe(cseqOf(first).seq + 1);
    // RFC 3261 §12.2.1.1: the dialog's next request counts on from the INVITE that made it.
    expect(cseqOf(find(wire, 'rxsip', 'BYE')).seq).toBeGreaterThan(cseqOf(second).seq);
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', '200 INVITE').body);
  });

  it('407 challenge: the INVITE is sent again with a right Proxy-Authorization, then answered 200', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-407-challenge');
    const dialog = await srf.createUac(sipp.uri, {
      localSdp: RXSIP_SDP,
      auth: { username: 'alice', password: 'secret' },
    });
    await dialog.end();
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 407 INVITE',
      'rxsip ACK',
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const [first, second] = [find(wire, 'rxsip', 'INVITE', 0), find(wire, 'rxsip', 'INVITE', 1)];
    const challenge = header(find(wire, 'sipp', '407 INVITE'), 'proxy-authenticate') ?? '';
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1];
    const credentials = header(second, 'proxy-authorization') ?? '';
    const param = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(credentials)?.[1];
    expect(header(first, 'proxy-authorization')).toBeUndefined();
    expect(credentials).toMatch(/^Digest /);
    expect(param('username')).toBe('alice');
    expect(param('realm')).toBe('sipp.test');
    expect(param('nonce')).toBe(nonce);
    expect(param('uri')).toBe(second.uri);
    // RFC 2617 §3.2.2.1 without qop: MD5(HA1:nonce:HA2), computed here, not by rxsip.
    const ha1 = md5('alice:sipp.test:secret');
    const ha2 = md5(`INVITE:${second.uri}`);
    expect(param('response')).toBe(md5(`${ha1}:${nonce}:${ha2}`));
    expect(cseqOf(second).seq).toBe(cseqOf(first).seq + 1);
    expect(header(second, 'call-id')).toBe(header(first, 'call-id'));
    expect(cseqOf(find(wire, 'rxsip', 'BYE')).seq).toBeGreaterThan(cseqOf(second).seq);
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', '200 INVITE').body);
  });

  it('302 redirect with followRedirects: ACKs the 302 and calls the Contact, which answers', async () => {
    const { srf } = await rxsip();
    const target = await sippCallee('uac-redirect-target');
    const redirector = await sippCallee('uac-302-redirect', { redirect_port: String(target.port) });
    const dialog = await srf.createUac(redirector.uri, { localSdp: RXSIP_SDP, followRedirects: true });
    const remoteUri = dialog.remote.uri;
    await dialog.end();
    const [redirected, answered] = await Promise.all([redirector.done, target.done]);

    expectClean(redirected);
    expectClean(answered);
    const first = trace(redirected);
    const second = trace(answered);
    expect(ladder(first)).toEqual(['rxsip INVITE', 'sipp 302 INVITE', 'rxsip ACK']);
    expect(ladder(second)).toEqual([
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const [original, retry] = [find(first, 'rxsip', 'INVITE'), find(second, 'rxsip', 'INVITE')];
    expect(header(find(first, 'sipp', '302 INVITE'), 'contact')).toBe(
      `<sip:redirected@127.0.0.1:${target.port}>`,
    );
    expect(retry.uri).toBe(`sip:redirected@127.0.0.1:${target.port}`);
    expect(retry.body).toBe(RXSIP_SDP);
    expect(cseqOf(retry).seq).toBeGreaterThan(cseqOf(original).seq);
    expect(branchOf(retry)).not.toBe(branchOf(original));

    expect(dialog.remote.sdp).toBe(find(second, 'sipp', '200 INVITE').body);
    expect(remoteUri).toBe(`sip:sipp@127.0.0.1:${target.port};transport=UDP`);
    expect(srf.dialogCount).toBe(0);
  });

  /** The CANCEL, 487 and ACK SIPp saw, checked against RFC 3261 §9.1 and §17.1.1.3. */
  function expectCancelled(result: SippResult): void {
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 180 INVITE',
      'rxsip CANCEL',
      'sipp 200 CANCEL',
      'sipp 487 INVITE',
      'rxsip ACK',
    ]);
    const invite = find(wire, 'rxsip', 'INVITE');
    const cancel = find(wire, 'rxsip', 'CANCEL');
    const ack = find(wire, 'rxsip', 'ACK');
    expect(cancel.uri).toBe(invite.uri);
    expect(branchOf(cancel)).toBe(branchOf(invite));
    expect(cseqOf(cancel)).toEqual({ seq: cseqOf(invite).seq, method: 'CANCEL' });
    expect(header(cancel, 'to')).toBe(header(invite, 'to'));
    expect(header(cancel, 'call-id')).toBe(header(invite, 'call-id'));
    expect(branchOf(ack)).toBe(branchOf(invite));
    expect(cseqOf(ack)).toEqual({ seq: cseqOf(invite).seq, method: 'ACK' });
    expect(tagOf(header(ack, 'to'))).toBe(tagOf(header(find(wire, 'sipp', '487 INVITE'), 'to')));
  }

  it('cancelled by unsubscribing from call$ after 180: CANCEL, 200, 487, ACK', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-cancelled-after-ringing');
    const progress: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = srf.call$(sipp.uri, { localSdp: RXSIP_SDP }).subscribe({
        next: (p) => {
          progress.push(p.type === 'provisional' ? `provisional ${p.response.status}` : p.type);
          if (p.type === 'provisional' && p.response.status === 180) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
        complete: () => reject(new Error('call$ completed before the 180')),
      });
    });
    const result = await sipp.done;

    expectCancelled(result);
    expect(progress).toEqual(['request', 'provisional 180']);
    expect(srf.dialogCount).toBe(0);
  });

  it('cancelled with req.cancel() from cbRequest after 180: createUac rejects with SipError 487', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-cancelled-after-ringing');
    let sent: SentRequest | undefined;
    const provisional: number[] = [];
    const error = await srf
      .createUac(
        sipp.uri,
        { localSdp: RXSIP_SDP },
        {
          cbRequest: (_err, req) => (sent = req),
          cbProvisional: (res) => {
            provisional.push(res.status);
            if (res.status === 180) sent?.cancel();
          },
        },
      )
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    const result = await sipp.done;

    expectCancelled(result);
    expect(sent?.method).toBe('INVITE');
    expect(provisional).toEqual([180]);
    expect(error).toBeInstanceOf(SipError);
    expect(error).toMatchObject({ status: 487 });
    expect((error as SipError).res?.status).toBe(487);
    expect(srf.dialogCount).toBe(0);
  });

  it('rejected with 486: createUac rejects with SipError 486 carrying the response, and the 486 is ACKed', async () => {
    const { srf } = await rxsip();
    const sipp = await sippCallee('uac-486-busy');
    const error = await srf.createUac(sipp.uri, { localSdp: RXSIP_SDP }).then(
      () => undefined,
      (err: unknown) => err,
    );
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual(['rxsip INVITE', 'sipp 486 INVITE', 'rxsip ACK']);
    const busy = find(wire, 'sipp', '486 INVITE');
    const invite = find(wire, 'rxsip', 'INVITE');
    const ack = find(wire, 'rxsip', 'ACK');
    expect(branchOf(ack)).toBe(branchOf(invite));
    expect(tagOf(header(ack, 'to'))).toBe(tagOf(header(busy, 'to')));

    expect(error).toBeInstanceOf(SipError);
    const sipError = error as SipError;
    expect(sipError.status).toBe(486);
    expect(sipError.reason).toBe('Busy Here');
    expect(sipError.res?.status).toBe(486);
    expect(sipError.res?.callId).toBe(header(busy, 'call-id'));
    expect(sipError.res?.toTag).toBe(tagOf(header(busy, 'to')));
    expect(srf.dialogCount).toBe(0);
  });
});
