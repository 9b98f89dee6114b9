// RFC 3263 on a DNS server the user names (`dns: {servers}`), against dnsmasq on a loopback port:
// NAPTR, SRV, A and AAAA all asked of it (the system resolver's `dns.lookup` would not be), a call
// reaching SIPp through NAPTR → SRV → A, and failover to the second SRV target when the first
// never answers (Timer B, short here through a small T1).
import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Srf } from '../../src/index.js';
import { serverDns } from '../../src/transport/dns-servers.js';
import { freePort } from '../support/ports.js';
import { startSipp } from '../support/sipp.js';
import { expectClean } from '../support/sipp-parties.js';
import { RXSIP_SDP } from '../support/sipp-sdp.js';
import { trace } from '../support/sipp-trace.js';
import { type Dnsmasq, startDnsmasq } from './dnsmasq.js';

describe('dns: {servers}: RFC 3263 resolution on dnsmasq', () => {
  let dnsmasq: Dnsmasq;
  let srf: Srf;
  let dead: Socket;
  const deadReceived: string[] = [];
  const ports = { first: 0, dead: 0, second: 0 };

  beforeAll(async () => {
    ports.first = await freePort();
    ports.second = await freePort();
    // The higher-priority target of failover.test: it takes the INVITE and never answers.
    dead = createSocket('udp4');
    dead.on('message', (m) => deadReceived.push(m.toString('latin1')));
    await new Promise<void>((resolve) => dead.bind(0, '127.0.0.1', resolve));
    ports.dead = dead.address().port;
    dnsmasq = await startDnsmasq([
      '--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test',
      `--srv-host=_sip._udp.example.test,sip1.example.test,${ports.first},10,0`,
      '--host-record=sip1.example.test,127.0.0.1',
      '--naptr-record=failover.test,10,10,S,SIP+D2U,,_sip._udp.failover.test',
      `--srv-host=_sip._udp.failover.test,dead.failover.test,${ports.dead},10,0`,
      `--srv-host=_sip._udp.failover.test,live.failover.test,${ports.second},20,0`,
      '--host-record=dead.failover.test,127.0.0.1',
      '--host-record=live.failover.test,127.0.0.1',
      '--host-record=both.example.test,127.0.0.7,::7',
    ]);
    srf = new Srf({ logger: pino({ level: 'silent' }) });
    await srf.start({
      listen: [`127.0.0.1:${await freePort()}`],
      dns: { servers: [dnsmasq.server] },
      // Timer B = 64*T1 = 3.2 s: the dead target is given up on quickly.
      timers: { t1: 50 },
    });
  });

  afterAll(async () => {
    await srf?.close();
    dead?.close();
    await dnsmasq?.stop();
  });

  async function callee(port: number) {
    const sipp = startSipp({
      scenario: 'uac-ringing-then-answered-caller-hangs-up',
      server: true,
      target: '',
      calls: 1,
      localPort: port,
      timeoutSeconds: 15,
    });
    await sipp.ready();
    return sipp;
  }

  it('reaches a SIPp callee through NAPTR, SRV and A, all asked of the given server', async () => {
    const sipp = await callee(ports.first);
    const dialog = await srf.call('sip:sipp@example.test', { localSdp: RXSIP_SDP });
    await dialog.end();
    const result = await sipp.done;
    expectClean(result);
    const invite = trace(result).find((m) => m.by === 'rxsip' && m.method === 'INVITE');
    expect(invite?.uri).toBe('sip:sipp@example.test');
    expect(dnsmasq.queries()).toEqual(
      expect.arrayContaining(['NAPTR example.test', 'SRV _sip._udp.example.test', 'A sip1.example.test']),
    );
  });

  it('fails over to the second SRV target when the first never answers', async () => {
    const sipp = await callee(ports.second);
    const dialog = await srf.call('sip:sipp@failover.test', { localSdp: RXSIP_SDP });
    await dialog.end();
    expectClean(await sipp.done);
    // The dead target got the INVITE (and its retransmissions) first.
    const invites = deadReceived.filter((m) => m.startsWith('INVITE sip:sipp@failover.test SIP/2.0'));
    expect(invites.length).toBeGreaterThanOrEqual(1);
    expect(dnsmasq.queries()).toEqual(
      expect.arrayContaining(['A dead.failover.test', 'A live.failover.test']),
    );
  });

  it('asks the server for A and AAAA at once, IPv4 first', async () => {
    const lookup = serverDns([dnsmasq.server]);
    expect(await lookup.addresses('both.example.test')).toEqual(['127.0.0.7', '::7']);
    expect(await lookup.addresses('sip1.example.test')).toEqual(['127.0.0.1']);
    await expect(lookup.addresses('nowhere.example.test')).rejects.toThrow();
  });

  it('a name the server does not know gets the stack 503 No Route To Destination', async () => {
    const outcome = await srf.send('sip:nobody@nowhere.example.test', { method: 'OPTIONS' });
    expect(outcome.status).toBe(503);
    expect(outcome.reason).toContain('nowhere.example.test resolves to no address');
  });
});
