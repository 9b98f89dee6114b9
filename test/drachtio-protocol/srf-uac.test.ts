// drachtio-srf apps, unmodified, placing calls and sending requests in dialogs through rxsip's
// drachtio server: the SIPp callee sees what rxsip sent for the app.
import { describe, expect, it } from 'vitest';
import { expectClean } from '../support/sipp-parties.js';
import { find, header, ladder, tagOf, trace } from '../support/sipp-trace.js';
import { APP_SDP, type DrachtioRequest, drachtioParties, eventually } from './harness.js';

const { server, app, callee, caller } = drachtioParties();

describe('a drachtio-srf UAC on rxsip', () => {
  it('createUAC: 180 then 200, ACK, and the app hangs up; From and Contact name the server, CDRs', async () => {
    const { sipPort, adminPort } = await server();
    const cdrs: string[] = [];
    const srf = await app(adminPort, undefined, (s) => {
      s.on('cdr:attempt', (source: string) => cdrs.push(`attempt ${source}`));
      s.on('cdr:start', (source: string, _t: string, role: string) => cdrs.push(`start ${source} ${role}`));
      s.on('cdr:stop', (source: string, _t: string, reason: string) => cdrs.push(`stop ${source} ${reason}`));
    });
    const sipp = await callee('uac-ringing-then-answered-caller-hangs-up');
    const provisional: number[] = [];
    const dialog = await srf.createUAC(
      sipp.uri,
      { localSdp: APP_SDP, callingNumber: '1234' },
      { cbProvisional: (res: { status: number }) => provisional.push(res.status) },
    );
    expect(provisional).toEqual([180]);
    expect(dialog.remote.sdp).toContain('v=0');
    await dialog.destroy();
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
    const invite = find(wire, 'rxsip', 'INVITE');
    // drachtio-srf writes `sip:1234@localhost`: the server puts its own address there.
    expect(header(invite, 'from')).toMatch(new RegExp(`^<?sip:1234@127\\.0\\.0\\.1:${sipPort}>?;tag=\\w+`));
    expect(header(invite, 'contact')).toBe(`sip:1234@127.0.0.1:${sipPort}`);
    expect(invite.body).toBe(APP_SDP);
    const ok = find(wire, 'sipp', '200 INVITE');
    const ack = find(wire, 'rxsip', 'ACK');
    const bye = find(wire, 'rxsip', 'BYE');
    expect(ack.uri).toBe(`sip:sipp@127.0.0.1:${sipp.port};transport=UDP`);
    expect(header(ack, 'cseq')).toBe(`${header(invite, 'cseq')?.split(' ')[0]} ACK`);
    expect(tagOf(header(bye, 'to'))).toBe(tagOf(header(ok, 'to')));
    expect(dialog.id).toBe(`${header(invite, 'call-id')};from-tag=${tagOf(header(invite, 'from'))}`);
    await eventually('the stop CDR', () => cdrs.length === 3);
    expect(cdrs).toEqual(['attempt application', 'start network uac', 'stop application normal-release']);
  });

  it('the callee hangs up: the app dialog is destroyed by its BYE', async () => {
    const { adminPort } = await server();
    const srf = await app(adminPort);
    const sipp = await callee('uac-ringing-then-answered-callee-hangs-up');
    const dialog = await srf.createUAC(sipp.uri, { localSdp: APP_SDP });
    const destroyed = new Promise<string>((resolve) =>
      dialog.on('destroy', (bye: DrachtioRequest, reason: string) => resolve(`${bye.method} ${reason}`)),
    );
    expectClean(await sipp.done);
    expect(await destroyed).toBe('BYE normal release');
  });

  it('a busy callee: createUAC rejects with a SipError of status 486, and the 486 is ACKed', async () => {
    const { adminPort } = await server();
    const srf = await app(adminPort);
    const sipp = await callee('uac-486-busy');
    const error = await srf.createUAC(sipp.uri, { localSdp: APP_SDP }).then(
      () => undefined,
      (err: { status?: number; name?: string }) => err,
    );
    expect(error).toMatchObject({ status: 486, name: 'SipError' });
    const result = await sipp.done;
    expectClean(result);
    expect(ladder(trace(result))).toEqual(['rxsip INVITE', 'sipp 486 INVITE', 'rxsip ACK']);
  });

  it('the app cancels its INVITE once it rings: CANCEL, 487, ACK; createUAC rejects with 487', async () => {
    const { adminPort } = await server();
    const srf = await app(adminPort);
    const sipp = await callee('uac-cancelled-after-ringing');
    let sent: { cancel(): void } | undefined;
    const error = await srf
      .createUAC(
        sipp.uri,
        { localSdp: APP_SDP },
        {
          cbRequest: (_err: unknown, req: { cancel(): void }) => {
            sent = req;
          },
          cbProvisional: () => sent?.cancel(),
        },
      )
      .then(
        () => undefined,
        (err: { status?: number }) => err,
      );
    expect(error).toMatchObject({ status: 487 });
    const result = await sipp.done;
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
    // RFC 3261 §9.1: the CANCEL is the INVITE's, hop by hop.
    const invite = find(wire, 'rxsip', 'INVITE');
    const cancel = find(wire, 'rxsip', 'CANCEL');
    expect(cancel.uri).toBe(invite.uri);
    expect(header(cancel, 'cseq')).toBe(`${header(invite, 'cseq')?.split(' ')[0]} CANCEL`);
    expect(header(cancel, 'via')).toBe(header(invite, 'via'));
  });

  it('the app sends INFO in the dialog, then hangs up', async () => {
    const { sipPort, adminPort } = await server();
    const srf = await app(adminPort);
    const done = new Promise<number[]>((resolve, reject) => {
      srf.invite(async (req, res) => {
        const dialog = await srf.createUAS(req, res, { localSdp: APP_SDP });
        dialog.on('ack', () => {
          dialog
            .request({
              method: 'INFO',
              headers: { 'Content-Type': 'application/dtmf-relay' },
              body: 'Signal=5\r\n',
            })
            .then(async (info) => {
              await dialog.destroy();
              resolve([info.status]);
            }, reject);
        });
      });
    });
    const result = await caller('drachtio-app-info', sipPort);
    expectClean(result);
    expect(ladder(trace(result))).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip INFO',
      'sipp 200 INFO',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const cseqs = trace(result)
      .filter((m) => m.by === 'rxsip' && m.method)
      .map((m) => header(m, 'cseq'));
    // Our requests in the dialog count from 1, each one up (RFC 3261 §12.2.1.1).
    expect(cseqs).toEqual(['1 INFO', '2 BYE']);
    expect(await done).toEqual([200]);
  });

  it('the app puts the caller on hold with a re-INVITE, then hangs up', async () => {
    const { sipPort, adminPort } = await server();
    const srf = await app(adminPort);
    const held = new Promise<string>((resolve, reject) => {
      srf.invite(async (req, res) => {
        const dialog = await srf.createUAS(req, res, { localSdp: APP_SDP });
        dialog.on('ack', () => {
          dialog.modify('hold').then(async (sdp) => {
            await dialog.destroy();
            resolve(sdp);
          }, reject);
        });
      });
    });
    const hold = await caller('uas-held-by-rxsip', sipPort);
    expectClean(hold);
    expect(ladder(trace(hold))).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    expect(await held).toContain('s=sipp-held');
  });
});
