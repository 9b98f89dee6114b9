// RFC 5626 / RFC 7118 with real sockets on 127.0.0.1: rxsip's own Srf, as a WebSocket client,
// registers with a Contact nobody can resolve (`.invalid`), +sip.instance and reg-id; a call to
// it through the registrar arrives over that same WebSocket connection; once the client closes
// the connection, the binding is gone and a call gets 480.
import { pino } from 'pino';
import { mergeMap } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLocationStore, Registrar, type Source, Srf, uas$ } from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { RXSIP_SDP } from '../support/sipp-sdp.js';

const DOMAIN = 'example.test';
const SILENT = pino({ level: 'silent' });
const INSTANCE = '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(listen: string[]): Promise<Srf> {
  const srf = new Srf({ logger: SILENT });
  await srf.start({ listen });
  cleanups.push(() => srf.close());
  return srf;
}

describe('registrar: a WebSocket client is called over its own connection', () => {
  it('registers over WS, is called back over that connection, and is forgotten when it closes', async () => {
    const [udp, ws] = [await freePort(), await freePort()];
    const server = await started([`udp:127.0.0.1:${udp}`, `ws:127.0.0.1:${ws}`]);
    const registrar = new Registrar({ domains: [DOMAIN], store: new MemoryLocationStore() });
    server.register$.pipe(registrar.register()).subscribe();
    server.invite$.pipe(registrar.route()).subscribe();

    const client = await started([`udp:127.0.0.1:${await freePort()}`]);
    const calls: Source[] = [];
    client.invite$
      .pipe(
        mergeMap((call) => {
          calls.push(call.req.source);
          return uas$(call, { localSdp: RXSIP_SDP });
        }),
      )
      .subscribe();
    const aor = `<sip:alice@${DOMAIN}>`;
    const ok = await client.send(`sip:127.0.0.1:${ws};transport=ws`, {
      method: 'REGISTER',
      headers: {
        From: `${aor};tag=ws1`,
        To: aor,
        Contact: `<sip:alice@k3l8sd0r.invalid;transport=ws>;+sip.instance="${INSTANCE}";reg-id=1`,
        Supported: 'outbound',
        Expires: 600,
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.get('require')).toBe('outbound');
    const [location] = await registrar.locate(`sip:alice@${DOMAIN}`);
    expect(location?.binding.source?.protocol).toBe('ws');
    expect(location?.flowId).toMatch(/.+/);

    const caller = await started([`udp:127.0.0.1:${await freePort()}`]);
    const dialog = await caller.call(`sip:alice@${DOMAIN}`, {
      localSdp: RXSIP_SDP,
      proxy: `127.0.0.1:${udp}`,
    });
    // The INVITE came over WebSocket from the registrar's listening port: the connection alice
    // opened (a new one would come from another port, and to a `.invalid` host none can be).
    expect(calls).toHaveLength(1);
    expect([calls[0]?.protocol, calls[0]?.address, calls[0]?.port]).toEqual(['ws', '127.0.0.1', ws]);
    await dialog.end();

    // alice goes away: her connection closes, and her binding with it.
    await client.close();
    for (let i = 0; i < 50 && (await registrar.locate(`sip:alice@${DOMAIN}`)).length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await registrar.locate(`sip:alice@${DOMAIN}`)).toEqual([]);
    const status = await caller
      .call(`sip:alice@${DOMAIN}`, { localSdp: RXSIP_SDP, proxy: `127.0.0.1:${udp}` })
      .then(() => 200)
      .catch((err: { status?: number }) => err.status);
    expect(status).toBe(480);
  });
});
