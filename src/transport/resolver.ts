import { promises as dnsPromises, type NaptrRecord, type SrvRecord } from 'node:dns';
import { isIP } from 'node:net';
import { from, type Observable, of } from 'rxjs';
import { bareHost, type SipUri } from '../sip/uri.js';
import { defaultPort, type Protocol, type Target } from './types.js';

/** The DNS queries RFC 3263 needs; injectable so the selection logic is testable. */
export interface DnsLookup {
  naptr(name: string): Promise<NaptrRecord[]>;
  srv(name: string): Promise<SrvRecord[]>;
  /** A and AAAA records, IPv4 first. */
  addresses(name: string): Promise<string[]>;
}

export const systemDns: DnsLookup = {
  naptr: (name) => dnsPromises.resolveNaptr(name),
  srv: (name) => dnsPromises.resolveSrv(name),
  addresses: async (name) =>
    (await dnsPromises.lookup(name, { all: true, order: 'ipv4first' })).map((a) => a.address),
};

// RFC 3263 §4.1 and RFC 7118 §7: NAPTR services and SRV prefixes per protocol.
const NAPTR_SERVICES: Record<string, Protocol> = {
  'SIP+D2U': 'udp',
  'SIP+D2T': 'tcp',
  'SIPS+D2T': 'tls',
  'SIP+D2W': 'ws',
  'SIPS+D2W': 'wss',
};
const SRV_PREFIX: Record<Protocol, string> = {
  udp: '_sip._udp',
  tcp: '_sip._tcp',
  tls: '_sips._tcp',
  ws: '_sip._ws',
  wss: '_sips._ws',
};

function protocolFromUri(uri: SipUri, usable: readonly Protocol[]): Protocol | undefined {
  const param = uri.params.transport?.toLowerCase();
  if (param) {
    if (uri.scheme === 'sips' && param === 'tcp') return 'tls';
    if (uri.scheme === 'sips' && param === 'ws') return 'wss';
    return usable.includes(param as Protocol) ? (param as Protocol) : undefined;
  }
  return undefined;
}

function defaultProtocol(uri: SipUri, usable: readonly Protocol[]): Protocol {
  if (uri.scheme === 'sips') return 'tls';
  return usable.includes('udp') ? 'udp' : (usable[0] ?? 'udp');
}

/** RFC 2782: lowest priority first; within a priority, weighted random order. */
export function orderSrv(records: SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  const out: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const pool = [...(byPriority.get(priority) ?? [])];
    while (pool.length > 0) {
      const total = pool.reduce((sum, r) => sum + r.weight, 0);
      let pick = random() * total;
      let index = pool.findIndex((r) => {
        pick -= r.weight;
        return pick < 0;
      });
      if (index < 0) index = 0;
      out.push(...pool.splice(index, 1));
    }
  }
  return out;
}

async function targetsForHost(
  dns: DnsLookup,
  host: string,
  port: number,
  protocol: Protocol,
): Promise<Target[]> {
  const addresses = isIP(host) ? [host] : await dns.addresses(host);
  return addresses.map((address) => ({ protocol, address, port, hostname: host }));
}

async function viaSrv(dns: DnsLookup, name: string, protocol: Protocol): Promise<Target[]> {
  let records: SrvRecord[];
  try {
    records = orderSrv(await dns.srv(name));
  } catch {
    return [];
  }
  const out: Target[] = [];
  for (const r of records) {
    try {
      out.push(...(await targetsForHost(dns, r.name, r.port, protocol)));
    } catch {
      // an SRV target that does not resolve is skipped (RFC 3263 §4.3)
    }
  }
  return out;
}

async function resolveName(
  uri: SipUri,
  host: string,
  usable: readonly Protocol[],
  dns: DnsLookup,
): Promise<Target[]> {
  const explicit = protocolFromUri(uri, usable);
  if (uri.port !== undefined) {
    const protocol = explicit ?? defaultProtocol(uri, usable);
    return targetsForHost(dns, host, uri.port, protocol);
  }
  if (!explicit) {
    let naptr: NaptrRecord[] = [];
    try {
      naptr = await dns.naptr(host);
    } catch {
      naptr = [];
    }
    const candidates = naptr
      .filter((r) => r.flags.toLowerCase() === 's')
      .map((r) => ({ r, protocol: NAPTR_SERVICES[r.service.toUpperCase()] }))
      .filter(
        (c): c is { r: NaptrRecord; protocol: Protocol } =>
          c.protocol !== undefined && usable.includes(c.protocol),
      )
      .filter((c) => uri.scheme !== 'sips' || c.protocol === 'tls' || c.protocol === 'wss')
      .sort((a, b) => a.r.order - b.r.order || a.r.preference - b.r.preference);
    for (const c of candidates) {
      const targets = await viaSrv(dns, c.r.replacement, c.protocol);
      if (targets.length > 0) return targets;
    }
  }
  const protocols = explicit
    ? [explicit]
    : uri.scheme === 'sips'
      ? (['tls'] as Protocol[])
      : (['udp', 'tcp', 'tls'] as Protocol[]).filter((p) => usable.includes(p));
  for (const protocol of protocols) {
    const targets = await viaSrv(dns, `${SRV_PREFIX[protocol]}.${host}`, protocol);
    if (targets.length > 0) return targets;
  }
  const protocol = explicit ?? defaultProtocol(uri, usable);
  return targetsForHost(dns, host, defaultPort(protocol), protocol);
}

/**
 * The ordered targets to try for a SIP URI (RFC 3263 §4): transport from the `transport`
 * parameter, NAPTR, SRV or defaults; addresses from SRV or A/AAAA. An IP literal is resolved
 * synchronously, without DNS. `maddr` replaces the host. An empty list means unreachable.
 */
export function resolveTargets(
  uri: SipUri,
  usable: readonly Protocol[],
  dns: DnsLookup = systemDns,
): Observable<Target[]> {
  const host = bareHost(uri.params.maddr ?? uri.host);
  if (isIP(host)) {
    const protocol = protocolFromUri(uri, usable) ?? defaultProtocol(uri, usable);
    if (!usable.includes(protocol)) return of([]);
    return of([{ protocol, address: host, port: uri.port ?? defaultPort(protocol) }]);
  }
  return from(resolveName(uri, host, usable, dns).catch(() => [] as Target[]));
}
