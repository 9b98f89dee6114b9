// drachtio-srf applications, unmodified (the npm package), answering calls on rxsip's drachtio
// server: SIPp calls the server's SIP port, the app connects to its admin port.
import { describe, expect, it } from 'vitest';
import { expectClean } from '../support/sipp-parties.js';
import { find, header, ladder, tagOf, trace } from '../support/sipp-trace.js';
import {
  APP_SDP,
  type DrachtioRequest,
  type DrachtioResponse,
  drachtioParties,
  eventually,
  type SrfApp,
} from './harness.js';

const { server, app, caller } = drachtioParties();

interface Cdr {
  type: string;
  source: string;
  extra?: string;
  method?: string;
  status?: number;
}

/** Listens for the three CDR events (drachtio-srf sends `route|cdr:<type>` once connected). */
function recordCdrs(srf: SrfApp, into: Cdr[]): void {
  type Msg = { method?: string; status?: number };
  const msgOf = (msg: Msg) => ({ method: msg.method, status: msg.status });
  srf.on('cdr:attempt', (source: string, _time: string, msg: { method?: string; status?: number }) =>
    into.push({ type: 'attempt', source, ...msgOf(msg) }),
  );
  srf.on(
    'cdr:start',
    (source: string, _time: string, role: string, msg: { method?: string; status?: number }) =>
      into.push({ type: 'start', source, extra: role, ...msgOf(msg) }),
  );
  srf.on(
    'cdr:stop',
    (source: string, _time: string, reason: string, msg: { method?: string; status?: number }) =>
      into.push({ type: 'stop', source, extra: reason, ...msgOf(msg) }),
  );
}

describe('a drachtio-srf UAS on rxsip', () => {
  it('createUAS answers SIPp at once with 100 then 200; the caller hangs up: destroy, and the CDRs', async () => {
    const { sipPort, adminPort, server: drachtio } = await server();
    const cdrs: Cdr[] = [];
    const srf = await app(adminPort, undefined, (s) => recordCdrs(s, cdrs));
    const destroyed = new Promise<{ dialogId: string; method: string }>((resolve) => {
      srf.invite(async (req, res) => {
        const dialog = await srf.createUAS(req, res, { localSdp: APP_SDP });
        dialog.on('destroy', (bye: { method: string }) =>
          resolve({ dialogId: dialog.id, method: bye.method }),
        );
      });
    });
    const result = await caller('uas-caller-hangs-up', sipPort);
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    expect(wire.some((m) => m.by === 'rxsip' && m.status === 100)).toBe(true);
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(ok.body).toBe(APP_SDP);
    expect(header(ok, 'contact')).toBe(`<sip:127.0.0.1:${sipPort}>`);
    const invite = find(wire, 'sipp', 'INVITE');
    const { dialogId, method } = await destroyed;
    // drachtio's dialog id: Call-ID and the tag of the dialog-creating request's From.
    expect(dialogId).toBe(`${header(invite, 'call-id')};from-tag=${tagOf(header(invite, 'from'))}`);
    expect(method).toBe('BYE');
    await eventually('the stop CDR', () => cdrs.length === 3);
    expect(cdrs).toEqual([
      { type: 'attempt', source: 'network', method: 'INVITE', status: undefined },
      { type: 'start', source: 'application', extra: 'uas', method: undefined, status: 200 },
      { type: 'stop', source: 'network', extra: 'normal-release', method: 'BYE', status: undefined },
    ]);
    expect(drachtio.dialogCount).toBe(0);
  });

  it('in-dialog requests reach the app: its re-INVITE answer, 202 to INFO, the default 200 to NOTIFY', async () => {
    const { sipPort, adminPort } = await server();
    const srf = await app(adminPort);
    const seen: string[] = [];
    const REOFFER_ANSWER = APP_SDP.replace('o=app 1 1', 'o=app 1 2');
    srf.invite(async (req, res) => {
      const dialog = await srf.createUAS(req, res, { localSdp: APP_SDP });
      dialog.on('modify', (r: DrachtioRequest, s: DrachtioResponse) => {
        seen.push(`modify ${/s=(\S+)/.exec(r.body)?.[1]}`);
        s.send(200, { body: REOFFER_ANSWER, headers: { 'Content-Type': 'application/sdp' } });
      });
      dialog.on('info', (r: DrachtioRequest, s: DrachtioResponse) => {
        seen.push(`info ${r.body.split('\r\n')[0]}`);
        s.send(202);
      });
      dialog.on('destroy', () => seen.push('destroy'));
    });
    const result = await caller('uas-in-dialog-app-answers', sipPort);
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
    const answers = wire.filter((m) => m.by === 'rxsip' && m.status === 200 && m.body.includes('v=0'));
    expect(answers.map((m) => m.body)).toEqual([APP_SDP, REOFFER_ANSWER]);
    // One To tag for the whole dialog (100 Trying has none, RFC 3261 §8.2.6.2).
    const tags = wire.filter((m) => m.by === 'rxsip' && m.status !== 100).map((m) => tagOf(header(m, 'to')));
    expect(new Set(tags).size).toBe(1);
    await eventually('the destroy', () => seen.includes('destroy'));
    expect(seen).toEqual(['modify sipp-reoffer', 'info Signal=5', 'destroy']);
  });

  it('the app hangs up after the ACK: SIPp gets a BYE in the dialog', async () => {
    const { sipPort, adminPort } = await server();
    const srf = await app(adminPort);
    const ended = new Promise<number>((resolve, reject) => {
      srf.invite(async (req, res) => {
        const dialog = await srf.createUAS(req, res, { localSdp: APP_SDP });
        dialog.on('ack', () => {
          dialog.destroy().then((bye) => resolve(bye.method === 'BYE' ? 1 : 0), reject);
        });
      });
    });
    const result = await caller('uas-rxsip-hangs-up', sipPort);
    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const bye = find(wire, 'rxsip', 'BYE');
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(bye.uri).toBe(header(find(wire, 'sipp', 'INVITE'), 'contact')?.replace(/^<|>$/g, ''));
    expect(tagOf(header(bye, 'from'))).toBe(tagOf(header(ok, 'to')));
    expect(header(bye, 'call-id')).toBe(header(ok, 'call-id'));
    expect(await ended).toBe(1);
  });

  it('a ringing call the caller cancels: the app gets the cancel, SIPp its 200 and 487', async () => {
    const { sipPort, adminPort } = await server();
    const cdrs: Cdr[] = [];
    const srf = await app(adminPort, undefined, (s) => recordCdrs(s, cdrs));
    const outcome = new Promise<string>((resolve) => {
      srf.invite((req, res) => {
        req.on('cancel', () => resolve('cancelled'));
        res.send(180);
      });
    });
    const result = await caller('invite-cancel', sipPort);
    expectClean(result);
    expect(ladder(trace(result))).toEqual([
      'sipp INVITE',
      'rxsip 180 INVITE',
      'sipp CANCEL',
      'rxsip 200 CANCEL',
      'rxsip 487 INVITE',
      'sipp ACK',
    ]);
    expect(await outcome).toBe('cancelled');
    await eventually('the stop CDR', () => cdrs.length === 2);
    expect(cdrs.map((c) => `${c.type} ${c.source} ${c.extra ?? ''}`.trim())).toEqual([
      'attempt network',
      'stop network call-canceled',
    ]);
  });
});
