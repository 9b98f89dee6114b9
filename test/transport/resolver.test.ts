import type { NaptrRecord, SrvRecord } from 'node:dns';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseUri, type SipUri } from '../../src/sip/uri.js';
import { type DnsLookup, orderSrv, resolveTargets } from '../../src/transport/resolver.js';
import type { Protocol, Target } from '../../src/transport/types.js';

interface Zone {
  naptr?: Record<string, Omit<NaptrRecord, 'regexp'>[]>;
  srv?: Record<string, SrvRecord[]>;
  a?: Record<string, string[]>;
}

/** A DNS with the given records; every other name fails as ENOTFOUND. Queries are logged. */
function dns(zone: Zone): DnsLookup & { queries: string[] } {
  const queries: string[] = [];
  const answer = <T>(type: string, table: Record<string, T[]> | undefined, name: string): Promise<T[]> => {
    queries.push(`${type} ${name}`);
    const records = table?.[name];
    return records
      ? Promise.resolve(records)
      : Promise.reject(Object.assign(new Error(name), { code: 'ENOTFOUND' }));
  };
  return {
    queries,
    naptr: (name) => answer('NAPTR', zone.naptr, name).then((rs) => rs.map((r) => ({ ...r, regexp: '' }))),
    srv: (name) => answer('SRV', zone.srv, name),
    addresses: (name) => answer('A', zone.a, name),
  };
}

const ALL: Protocol[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

function sip(text: string): SipUri {
  return parseUri(text) as SipUri;
}

async function resolve(uri: string, lookup: DnsLookup, usable: Protocol[] = ALL): Promise<string[]> {
  const targets = await firstValueFrom(resolveTargets(sip(uri), usable, lookup));
  return targets.map(show);
}

function show(t: Target): string {
  return `${t.protocol} ${t.address}:${t.port}`;
}

const naptr = (order: number, preference: number, service: string, replacement: string) => ({
  flags: 's',
  service,
  replacement,
  order,
  preference,
});
const srv = (priority: number, weight: number, port: number, name: string): SrvRecord => ({
  priority,
  weight,
  port,
  name,
});

describe('resolveTargets (RFC 3263 §4)', () => {
  it('resolves an IP literal synchronously, without DNS', () => {
    const lookup = dns({});
    const seen: string[][] = [];
    resolveTargets(sip('sip:bob@192.0.2.1:5070'), ALL, lookup).subscribe((t) => seen.push(t.map(show)));
    resolveTargets(sip('sip:bob@[2001:db8::1];transport=tcp'), ALL, lookup).subscribe((t) =>
      seen.push(t.map(show)),
    );
    resolveTargets(sip('sips:bob@192.0.2.1'), ALL, lookup).subscribe((t) => seen.push(t.map(show)));
    resolveTargets(sip('sip:bob@example.com;maddr=192.0.2.9'), ALL, lookup).subscribe((t) =>
      seen.push(t.map(show)),
    );
    expect(seen).toEqual([
      ['udp 192.0.2.1:5070'],
      ['tcp 2001:db8::1:5060'],
      ['tls 192.0.2.1:5061'],
      ['udp 192.0.2.9:5060'],
    ]);
    expect(lookup.queries).toEqual([]);
  });

  it('follows NAPTR records by order, then preference, among the usable transports', async () => {
    const lookup = dns({
      naptr: {
        'example.com': [
          naptr(20, 10, 'SIP+D2U', '_sip._udp.example.com'),
          naptr(10, 50, 'SIP+D2T', '_sip._tcp.example.com'),
          naptr(10, 10, 'SIPS+D2T', '_sips._tcp.example.com'),
        ],
      },
      srv: {
        '_sip._udp.example.com': [srv(10, 0, 5060, 'udp.example.com')],
        '_sip._tcp.example.com': [srv(10, 0, 5060, 'tcp.example.com')],
        '_sips._tcp.example.com': [srv(10, 0, 5061, 'tls.example.com')],
      },
      a: {
        'udp.example.com': ['192.0.2.1'],
        'tcp.example.com': ['192.0.2.2'],
        'tls.example.com': ['192.0.2.3'],
      },
    });
    expect(await resolve('sip:bob@example.com', lookup)).toEqual(['tls 192.0.2.3:5061']);
    expect(await resolve('sip:bob@example.com', lookup, ['udp', 'tcp'])).toEqual(['tcp 192.0.2.2:5060']);
    expect(await resolve('sip:bob@example.com', lookup, ['udp'])).toEqual(['udp 192.0.2.1:5060']);
  });

  it('goes on to the next NAPTR record when one leads nowhere, and ignores non-terminal ones', async () => {
    const lookup = dns({
      naptr: {
        'example.com': [
          { ...naptr(1, 1, 'SIP+D2T', '_sip._tcp.other.example.com'), flags: '' },
          naptr(10, 10, 'SIP+D2T', '_sip._tcp.example.com'),
          naptr(20, 10, 'SIP+D2U', '_sip._udp.example.com'),
        ],
      },
      srv: { '_sip._udp.example.com': [srv(10, 0, 5080, 'udp.example.com')] },
      a: { 'udp.example.com': ['192.0.2.1'] },
    });
    expect(await resolve('sip:bob@example.com', lookup)).toEqual(['udp 192.0.2.1:5080']);
    expect(lookup.queries).not.toContain('SRV _sip._tcp.other.example.com');
  });

  it('without NAPTR, queries SRV for each usable transport, then A/AAAA at the default port', async () => {
    const lookup = dns({
      srv: { '_sip._tcp.example.com': [srv(10, 0, 5070, 'tcp.example.com')] },
      a: { 'tcp.example.com': ['192.0.2.2'], 'plain.example.com': ['192.0.2.7', '2001:db8::7'] },
    });
    expect(await resolve('sip:bob@example.com', lookup)).toEqual(['tcp 192.0.2.2:5070']);
    expect(lookup.queries).toEqual([
      'NAPTR example.com',
      'SRV _sip._udp.example.com',
      'SRV _sip._tcp.example.com',
      'A tcp.example.com',
    ]);
    expect(await resolve('sip:bob@plain.example.com', lookup)).toEqual([
      'udp 192.0.2.7:5060',
      'udp 2001:db8::7:5060',
    ]);
  });

  it('orders SRV targets by priority, every address of each', async () => {
    const lookup = dns({
      srv: {
        '_sip._udp.example.com': [
          srv(20, 0, 5060, 'backup.example.com'),
          srv(10, 0, 5062, 'main.example.com'),
        ],
      },
      a: { 'backup.example.com': ['192.0.2.9'], 'main.example.com': ['192.0.2.1', '192.0.2.2'] },
    });
    expect(await resolve('sip:bob@example.com', lookup)).toEqual([
      'udp 192.0.2.1:5062',
      'udp 192.0.2.2:5062',
      'udp 192.0.2.9:5060',
    ]);
  });

  it('skips SRV targets that do not resolve, and "." (no service)', async () => {
    const lookup = dns({
      srv: {
        '_sip._udp.example.com': [
          srv(5, 0, 5060, '.'),
          srv(10, 0, 5060, 'gone.example.com'),
          srv(20, 0, 5060, 'ok.example.com'),
        ],
      },
      a: { 'ok.example.com': ['192.0.2.1'] },
    });
    expect(await resolve('sip:bob@example.com', lookup)).toEqual(['udp 192.0.2.1:5060']);
    expect(lookup.queries).not.toContain('A .');
  });

  it('uses only the transport of the transport parameter: no NAPTR, SRV for it, then A/AAAA', async () => {
    const lookup = dns({
      naptr: { 'example.com': [naptr(10, 10, 'SIP+D2U', '_sip._udp.example.com')] },
      srv: { '_sip._tcp.example.com': [srv(10, 0, 5070, 'tcp.example.com')] },
      a: { 'tcp.example.com': ['192.0.2.2'], 'example.com': ['192.0.2.5'] },
    });
    expect(await resolve('sip:bob@example.com;transport=TCP', lookup)).toEqual(['tcp 192.0.2.2:5070']);
    expect(lookup.queries).toEqual(['SRV _sip._tcp.example.com', 'A tcp.example.com']);
    expect(await resolve('sip:bob@example.com;transport=ws', lookup)).toEqual(['ws 192.0.2.5:80']);
  });

  it('finds no target when the transport parameter names one that cannot be used', async () => {
    const lookup = dns({ a: { 'example.com': ['192.0.2.5'] } });
    expect(await resolve('sip:bob@example.com;transport=tcp', lookup, ['udp'])).toEqual([]);
    expect(await resolve('sip:bob@example.com;transport=sctp', lookup)).toEqual([]);
    expect(await resolve('sip:bob@192.0.2.1;transport=tcp', lookup, ['udp'])).toEqual([]);
    expect(await resolve('sips:bob@192.0.2.1;transport=udp', lookup)).toEqual([]);
    expect(lookup.queries).toEqual([]);
  });

  it('reaches a sips URI over TLS only: SIPS NAPTR services, _sips._tcp, then port 5061', async () => {
    const lookup = dns({
      naptr: {
        'example.com': [
          naptr(10, 10, 'SIP+D2U', '_sip._udp.example.com'),
          naptr(20, 10, 'SIPS+D2T', '_sips._tcp.example.com'),
        ],
      },
      srv: {
        '_sip._udp.example.com': [srv(10, 0, 5060, 'udp.example.com')],
        '_sips._tcp.example.com': [srv(10, 0, 5061, 'tls.example.com')],
      },
      a: {
        'udp.example.com': ['192.0.2.1'],
        'tls.example.com': ['192.0.2.3'],
        'plain.example.com': ['192.0.2.7'],
      },
    });
    expect(await resolve('sips:bob@example.com', lookup)).toEqual(['tls 192.0.2.3:5061']);
    expect(await resolve('sips:bob@plain.example.com', lookup)).toEqual(['tls 192.0.2.7:5061']);
    expect(await resolve('sips:bob@example.com;transport=tcp', lookup)).toEqual(['tls 192.0.2.3:5061']);
    expect(await resolve('sips:bob@example.com', lookup, ['udp', 'tcp'])).toEqual([]);
  });

  it('with an explicit port, looks up A/AAAA only: UDP for sip, TLS for sips', async () => {
    const lookup = dns({
      naptr: { 'example.com': [naptr(10, 10, 'SIP+D2T', '_sip._tcp.example.com')] },
      a: { 'example.com': ['192.0.2.5'] },
    });
    expect(await resolve('sip:bob@example.com:5080', lookup)).toEqual(['udp 192.0.2.5:5080']);
    expect(await resolve('sips:bob@example.com:5081', lookup)).toEqual(['tls 192.0.2.5:5081']);
    expect(await resolve('sip:bob@example.com:5082;transport=tcp', lookup)).toEqual(['tcp 192.0.2.5:5082']);
    expect(lookup.queries).toEqual(['A example.com', 'A example.com', 'A example.com']);
  });

  it('names the URI host, not the SRV target, as the TLS server (RFC 5922 §4)', async () => {
    const lookup = dns({
      srv: { '_sips._tcp.example.com': [srv(10, 0, 5061, 'sip1.provider.net')] },
      a: { 'sip1.provider.net': ['192.0.2.3'] },
    });
    const targets = await firstValueFrom(resolveTargets(sip('sips:bob@example.com'), ALL, lookup));
    expect(targets).toEqual([{ protocol: 'tls', address: '192.0.2.3', port: 5061, hostname: 'example.com' }]);
  });

  it('finds no target, without throwing, when every lookup fails', async () => {
    const lookup = dns({});
    expect(await resolve('sip:bob@nowhere.example.com', lookup)).toEqual([]);
    expect(await resolve('sip:bob@nowhere.example.com:5060', lookup)).toEqual([]);
    expect(await resolve('sips:bob@nowhere.example.com;transport=tls', lookup)).toEqual([]);
  });
});

describe('orderSrv (RFC 2782)', () => {
  const records = [
    srv(20, 0, 1, 'backup'),
    srv(10, 10, 1, 'light'),
    srv(10, 30, 1, 'heavy'),
    srv(10, 60, 1, 'heaviest'),
  ];

  it('orders by priority, then picks by running weight sum within a priority', () => {
    // totals 100, then 40 (light + heavy), then 10: 0.5*100 = 50 falls in heaviest (40..100),
    // 0.1*40 = 4 in light (0..10), and heavy is left
    const draws = [0.5, 0.1, 0.9];
    const random = () => draws.shift() ?? 0;
    expect(orderSrv(records, random).map((r) => r.name)).toEqual(['heaviest', 'light', 'heavy', 'backup']);
  });

  it('picks each record in proportion to its weight', () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const value = (i + 0.5) / 100;
      const name = orderSrv(records.slice(1), () => value)[0]?.name ?? '';
      firsts.set(name, (firsts.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(firsts)).toEqual({ light: 10, heavy: 30, heaviest: 60 });
  });

  it('keeps every record, zero weights included', () => {
    const zero = [srv(10, 0, 1, 'a'), srv(10, 0, 1, 'b'), srv(5, 0, 1, 'c')];
    expect(
      orderSrv(zero, () => 0)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(orderSrv(zero, () => 0)[0]?.name).toBe('c');
  });
});
