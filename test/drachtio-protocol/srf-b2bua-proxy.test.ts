// A drachtio-srf B2BUA and a drachtio-srf proxy, unmodified, on rxsip's drachtio server: a SIPp
// caller calls the server, a SIPp callee is called, the app sits in the middle.
import { describe, expect, it } from 'vitest';
import { cleanTraces, expectCalleeHangsUp, expectCallerHangsUp } from '../support/sipp-parties.js';
import { find, header, type Wire } from '../support/sipp-trace.js';
import { type DrachtioDialog, type DrachtioProxyResult, drachtioParties, eventually } from './harness.js';

const { server, app, callee, caller } = drachtioParties();

/** Ends each leg when the other one ends, as drachtio-srf apps do. */
function tie(uas: DrachtioDialog, uac: DrachtioDialog): void {
  uas.on('destroy', () => void uac.destroy());
  uac.on('destroy', () => void uas.destroy());
}

describe('a drachtio-srf B2BUA on rxsip', () => {
  it('createB2BUA: the callee rings and answers, the caller hangs up, both legs end', async () => {
    const { sipPort, adminPort, server: drachtio } = await server();
    const srf = await app(adminPort);
    const b = await callee('b2bua-callee-answers');
    const legs = new Promise<{ uas: DrachtioDialog; uac: DrachtioDialog }>((resolve, reject) => {
      srf.invite((req, res) => {
        srf.createB2BUA(req, res, b.uri, { localSdpB: req.body }).then((call) => {
          tie(call.uas, call.uac);
          resolve(call);
        }, reject);
      });
    });
    const a = await caller('b2bua-caller-hangs-up', sipPort);
    const [wireA, wireB] = cleanTraces(a, await b.done) as [Wire[], Wire[]];
    expectCallerHangsUp(wireA, wireB);
    // Two dialogs, two Call-IDs: the B leg is a call of its own.
    expect(header(find(wireB, 'rxsip', 'INVITE'), 'call-id')).not.toBe(
      header(find(wireA, 'sipp', 'INVITE'), 'call-id'),
    );
    const { uas, uac } = await legs;
    expect(uas.sip.callId).toBe(header(find(wireA, 'sipp', 'INVITE'), 'call-id'));
    expect(uac.sip.callId).toBe(header(find(wireB, 'rxsip', 'INVITE'), 'call-id'));
    await eventually('no dialog left on the server', () => drachtio.dialogCount === 0);
  });

  it('the callee hangs up: the app ends the caller leg', async () => {
    const { sipPort, adminPort } = await server();
    const srf = await app(adminPort);
    const b = await callee('b2bua-callee-hangs-up');
    srf.invite((req, res) => {
      srf.createB2BUA(req, res, b.uri, { localSdpB: req.body }).then(
        (call) => tie(call.uas, call.uac),
        () => undefined,
      );
    });
    const a = await caller('b2bua-caller-hung-up-on', sipPort);
    const [wireA, wireB] = cleanTraces(a, await b.done) as [Wire[], Wire[]];
    expectCalleeHangsUp(wireA, wireB);
  });
});

describe('a drachtio-srf proxy on rxsip', () => {
  it('proxyRequest with recordRoute: the call goes through, its ACK and BYE through the server alone', async () => {
    const { sipPort, adminPort } = await server();
    const srf = await app(adminPort);
    const b = await callee('proxy-callee-answers');
    const result = new Promise<DrachtioProxyResult>((resolve, reject) => {
      srf.invite((req) => {
        srf.proxyRequest(req, [b.address], { recordRoute: true }).then(resolve, reject);
      });
    });
    const a = await caller('proxy-caller-hangs-up', sipPort);
    const [wireA, wireB] = cleanTraces(a, await b.done) as [Wire[], Wire[]];
    expectCallerHangsUp(wireA, wireB);
    const invite = find(wireB, 'rxsip', 'INVITE');
    expect(header(invite, 'record-route')).toBe(`<sip:127.0.0.1:${sipPort};lr>`);
    expect(header(invite, 'max-forwards')).toBe('69');
    // The callee's 180 and 200 reached the app as the operation's responses, then `done`.
    const outcome = await result;
    expect(outcome.connected).toBe(true);
    expect(outcome.finalStatus).toBe(200);
    expect(outcome.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([180, 200]);
    expect(outcome.responses[0]).toMatchObject({ address: '127.0.0.1', port: b.port });
  });
});
