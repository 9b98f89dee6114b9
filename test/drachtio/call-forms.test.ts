// rxsip/drachtio's Promise and callback forms, in every argument shape drachtio-srf 5 and the
// seed document take, in virtual time: each callback fires once with drachtio-srf's arguments.
import { describe, expect, it } from 'vitest';
import type { Dialog, SentRequest } from '../../src/drachtio.js';
import { Srf } from '../../src/drachtio.js';
import type { SipResponse } from '../../src/index.js';
import { asyncCall, SDP_A, SDP_B } from '../support/virtual-call.js';

/** A Promise of what a drachtio-srf `(err, value)` callback got. */
function callback<T>(): {
  cb: (err: Error | null, value?: T) => void;
  got: Promise<[Error | null, T | undefined]>;
} {
  let settle!: (args: [Error | null, T | undefined]) => void;
  const got = new Promise<[Error | null, T | undefined]>((resolve) => (settle = resolve));
  return { cb: (err, value) => settle([err, value]), got };
}

describe('createUAS', () => {
  it('(req, res, opts, callback): calls back with the dialog, and returns the Srf', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const { cb, got } = callback<Dialog>();
      let returned: unknown;
      bob.invite((req, res) => (returned = bob.createUAS(req, res, { localSdp: SDP_B }, cb)));
      const uac = await alice.createUAC('sip:bob@10.0.0.2', { localSdp: SDP_A });
      const [err, uas] = await got;
      expect(err).toBeNull();
      expect(returned).toBe(bob);
      expect(uas?.type).toBe('uas');
      expect(uas?.local.sdp).toBe(SDP_B);
      expect(uas?.sip.callId).toBe(uac.sip.callId);
      await uac.destroy();
    });
  });

  it('(req, res, opts, callback) calls back with SipError 487 when the caller cancels', async () => {
    await asyncCall(async ({ alice, bob, kit }) => {
      const { cb, got } = callback<Dialog>();
      bob.invite((req, res) => {
        res.send(180);
        kit.at(kit.scheduler.now() + 50, () => void bob.createUAS(req, res, { localSdp: SDP_B }, cb));
      });
      const call = alice.createUAC(
        'sip:bob@10.0.0.2',
        { localSdp: SDP_A },
        { cbProvisional: () => undefined, cbRequest: (_e, sent) => kit.at(20, () => sent.cancel()) },
      );
      await expect(call).rejects.toMatchObject({ name: 'SipError', status: 487 });
      const [err] = await got;
      expect(err).toMatchObject({ name: 'SipError', status: 487 });
    });
  });

  it('createUas is the same function under the seed document’s spelling', async () => {
    await asyncCall(async ({ alice, bob }) => {
      const made = new Promise<Dialog>((resolve) =>
        bob.invite((req, res) => void bob.createUas(req, res, { localSdp: SDP_B }).then(resolve)),
      );
      const uac = await alice.createUac('sip:bob@10.0.0.2', { localSdp: SDP_A });
      expect((await made).remote.sdp).toBe(SDP_A);
      await uac.destroy();
    });
  });
});

describe('createUAC', () => {
  it('(uri, opts, callback): the third argument is the callback, not progress callbacks', async () => {
    await asyncCall(async ({ alice, bob }) => {
      bob.invite((req, res) => void bob.createUAS(req, res, { localSdp: SDP_B }));
      const { cb, got } = callback<Dialog>();
      const returned = alice.createUAC('sip:bob@10.0.0.2', { localSdp: SDP_A }, cb);
      expect(returned).toBe(alice);
      const [err, uac] = await got;
      expect(err).toBeNull();
      expect(uac?.remote.sdp).toBe(SDP_B);
      await uac?.destroy();
    });
  });

  it('(uri, opts, progressCallbacks, callback): cbRequest gets (err, req), cbProvisional each 1xx, then the callback', async () => {
    await asyncCall(async ({ alice, bob, kit }) => {
      bob.invite((req, res) => {
        res.send(180);
        kit.at(kit.scheduler.now() + 100, () => void bob.createUAS(req, res, { localSdp: SDP_B }));
      });
      const seen: string[] = [];
      const { cb, got } = callback<Dialog>();
      alice.createUAC(
        'sip:bob@10.0.0.2',
        { localSdp: SDP_A },
        {
          cbRequest: (err: Error | null, req: SentRequest) => seen.push(`request ${err} ${req.method}`),
          cbProvisional: (res: SipResponse) => seen.push(`provisional ${res.status}`),
        },
        cb,
      );
      const [err, uac] = await got;
      expect(err).toBeNull();
      expect(seen).toEqual(['request null INVITE', 'provisional 180']);
      await uac?.destroy();
    });
  });

  it('legacy (uri, opts, cbRequest, cbProvisional, callback) and ({uri, ...opts}, callback)', async () => {
    await asyncCall(async ({ alice, bob }) => {
      bob.invite((req, res) => {
        res.send(183);
        void bob.createUAS(req, res, { localSdp: SDP_B });
      });
      const seen: string[] = [];
      const first = callback<Dialog>();
      alice.createUAC(
        'sip:bob@10.0.0.2',
        { localSdp: SDP_A },
        (_err: Error | null, req: SentRequest) => seen.push(`request ${req.uri}`),
        (res: SipResponse) => seen.push(`provisional ${res.status}`),
        first.cb,
      );
      const [err1, uac1] = await first.got;
      expect(err1).toBeNull();
      expect(seen).toEqual(['request sip:bob@10.0.0.2', 'provisional 183']);
      await uac1?.destroy();

      const second = callback<Dialog>();
      alice.createUAC({ uri: 'sip:bob@10.0.0.2', localSdp: SDP_A }, second.cb);
      const [err2, uac2] = await second.got;
      expect(err2).toBeNull();
      expect(uac2?.remote.sdp).toBe(SDP_B);
      await uac2?.destroy();
    });
  });

  it('calls back with SipError and the response on a refusal', async () => {
    await asyncCall(async ({ alice, bob }) => {
      bob.invite((_req, res) => res.send(486, { headers: { 'X-Why': 'busy' } }));
      const { cb, got } = callback<Dialog>();
      alice.createUAC('sip:bob@10.0.0.2', { localSdp: SDP_A }, cb);
      const [err, uac] = await got;
      expect(uac).toBeUndefined();
      expect(err).toBeInstanceOf(Srf.SipError);
      expect(err).toMatchObject({ status: 486, message: 'Sip non-success response: 486' });
      expect((err as { res?: SipResponse }).res?.get('x-why')).toBe('busy');
    });
  });
});

describe('createB2BUA', () => {
  it('(req, res, uri, opts, progress, callback): both legs linked by other; cbFinalizedUac first', async () => {
    await asyncCall(async ({ alice, bob, kit }) => {
      const carol = kit.app({ make: (o) => new Srf(o), name: 'C', address: '10.0.0.3' });
      carol.invite((req, res) => void carol.createUAS(req, res, { localSdp: SDP_B }));
      const seen: string[] = [];
      const { cb, got } = callback<{ uas: Dialog; uac: Dialog }>();
      bob.invite((req, res) =>
        bob.createB2BUA(
          req,
          res,
          'sip:carol@10.0.0.3',
          { localSdpB: req.body },
          { cbFinalizedUac: (uac) => seen.push(`finalized ${uac.type}`) },
          cb,
        ),
      );
      const uac = await alice.createUAC('sip:carol@10.0.0.2', { localSdp: SDP_A });
      const [err, legs] = await got;
      expect(err).toBeNull();
      expect(seen).toEqual(['finalized uac']);
      expect(legs?.uas.other).toBe(legs?.uac);
      expect(legs?.uac.other).toBe(legs?.uas);
      expect(uac.remote.sdp).toBe(SDP_B);
      await uac.destroy();
    });
  });
});

describe('srf.request', () => {
  it('({uri, method, headers}, callback): the object form, responses on the sent request', async () => {
    await asyncCall(async ({ alice, bob }) => {
      bob.options((_req, res) => res.send(200, { headers: { 'X-Up': 'yes' } }));
      const { cb, got } = callback<SentRequest>();
      alice.request({ uri: 'sip:10.0.0.2', method: 'OPTIONS', headers: { 'X-Probe': '1' } }, cb);
      const [err, req] = await got;
      expect(err).toBeNull();
      expect(req?.method).toBe('OPTIONS');
      expect(req?.get('x-probe')).toBe('1');
      const res = await new Promise<SipResponse>((resolve) => req?.on('response', resolve));
      expect(res.status).toBe(200);
      expect(res.get('x-up')).toBe('yes');
    });
  });

  it('without a method: calls back with an error saying so', async () => {
    await asyncCall(async ({ alice }) => {
      const { cb, got } = callback<SentRequest>();
      alice.request({ uri: 'sip:10.0.0.2' } as never, cb);
      const [err] = await got;
      expect(err?.message).toBe('srf.request: options.method is required');
    });
  });
});
