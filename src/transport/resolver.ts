import { promises as dnsPromises, type NaptrRecord, type SrvRecord } from 'node:dns';
import { isIP } from 'node:net';
import { from, type Observable, of } from 'rxjs';
import { bareHost, type SipUri } from '../sip/uri.js';
import { defaultPort, PROTOCOLS, type Protocol, type Target } from './types.js';

/** The DNS queries RFC 3263 needs; injectable so the selection logic is testable. */
export interface DnsLookup {
  /**
   * NAPTR records of a domain, from which RFC 3263 §4.1 picks the transport.
   *
   * @param name - the domain of the target URI
   * @returns the records; a rejection (as `node:dns` gives for no records) counts as none
   */
  naptr(name: string): Promise<NaptrRecord[]>;
  /**
   * SRV records of a service name such as `_sip._udp.example.com` (RFC 3263 §4.2, RFC 2782).
   *
   * @param name - the service name
   * @returns the records, in any order (the resolver orders them by priority and weight); a rejection counts as none
   */
  srv(name: string): Promise<SrvRecord[]>;
  /**
   * A and AAAA records, IPv4 first.
   *
   * @param name - a host name
   * @returns the addresses as IP literals
   */
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

// RFC 3261 §26.2.2: a sips URI is reached over TLS (or WSS, RFC 7118 §5); transport=tcp there means TLS.
const SIPS_TRANSPORT: Record<string, Protocol> = { tcp: 'tls', tls: 'tls', ws: 'wss', wss: 'wss' };

/**
 * The transport the URI's `transport` parameter asks for (RFC 3263 §4.1): `undefined` when it
 * has none, `null` when it names one that cannot be used here, so that nothing is reachable.
 */
function requestedProtocol(uri: SipUri, usable: readonly Protocol[]): Protocol | null | undefined {
  const param = uri.params.transport?.toLowerCase();
  if (!param) return undefined;
  const protocol = uri.scheme === 'sips' ? SIPS_TRANSPORT[param] : PROTOCOLS.find((p) => p === param);
  return protocol && usable.includes(protocol) ? protocol : null;
}

// RFC 3263 §4.1: UDP for sip, TLS for sips, when neither the URI nor DNS says otherwise.
function defaultProtocol(uri: SipUri, usable: readonly Protocol[]): Protocol | undefined {
  if (uri.scheme === 'sips') return (['tls', 'wss'] as const).find((p) => usable.includes(p));
  return usable.includes('udp') ? 'udp' : usable[0];
}

/**
 * The transport to reach `uri` on without DNS (an IP literal, or a name resolved elsewhere):
 * its `transport` parameter, else UDP for sip and TLS for sips. Undefined when it cannot be
 * reached over the usable transports.
 */
export function uriProtocol(uri: SipUri, usable: readonly Protocol[]): Protocol | undefined {
  const requested = requestedProtocol(uri, usable);
  return requested === null ? undefined : (requested ?? defaultProtocol(uri, usable));
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

/**
 * The addresses of `host` as targets. `domain` is the URI's host: TLS checks the server's
 * certificate against it, not against an SRV target (RFC 5922 §4).
 */
async function targetsForHost(
  dns: DnsLookup,
  host: string,
  port: number,
  protocol: Protocol,
  domain: string,
): Promise<Target[]> {
  const addresses = isIP(host) ? [host] : await dns.addresses(host);
  return addresses.map((address) => ({ protocol, address, port, hostname: domain }));
}

async function viaSrv(dns: DnsLookup, name: string, protocol: Protocol, domain: string): Promise<Target[]> {
  let records: SrvRecord[];
  try {
    records = orderSrv(await dns.srv(name));
  } catch {
    return [];
  }
  const out: Target[] = [];
  for (const r of records) {
    // RFC 2782: a target of "." means the service is not offered there
    if (r.name === '.' || r.name === '') continue;
    try {
      out.push(...(await targetsForHost(dns, r.name, r.port, protocol, domain)));
    } catch {
      // an SRV target that does not resolve is skipped (RFC 3263 §4.3)
    }
  }
  return out;
}

// RFC 3263 §4.1: terminal NAPTR records for usable transports, by order then preference.
async function viaNaptr(
  dns: DnsLookup,
  uri: SipUri,
  host: string,
  usable: readonly Protocol[],
): Promise<Target[]> {
  let naptr: NaptrRecord[];
  try {
    naptr = await dns.naptr(host);
  } catch {
    return [];
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
    const targets = await viaSrv(dns, c.r.replacement, c.protocol, host);
    if (targets.length > 0) return targets;
  }
  return [];
}

async function resolveName(
  uri: SipUri,
  host: string,
  usable: readonly Protocol[],
  requested: Protocol | undefined,
  dns: DnsLookup,
): Promise<Target[]> {
  const fallback = requested ?? defaultProtocol(uri, usable);
  // RFC 3263 §4.2: an explicit port means A/AAAA only.
  if (uri.port !== undefined) return fallback ? targetsForHost(dns, host, uri.port, fallback, host) : [];
  if (!requested) {
    const targets = await viaNaptr(dns, uri, host, usable);
    if (targets.length > 0) return targets;
  }
  const protocols = requested
    ? [requested]
    : uri.scheme === 'sips'
      ? (['tls'] as Protocol[]).filter((p) => usable.includes(p))
      : (['udp', 'tcp', 'tls'] as Protocol[]).filter((p) => usable.includes(p));
  for (const protocol of protocols) {
    const targets = await viaSrv(dns, `${SRV_PREFIX[protocol]}.${host}`, protocol, host);
    if (targets.length > 0) return targets;
  }
  return fallback ? targetsForHost(dns, host, defaultPort(fallback), fallback, host) : [];
}

/**
 * The ordered targets to try for a SIP URI (RFC 3263 §4): transport from the `transport`
 * parameter, NAPTR, SRV or defaults; addresses from SRV or A/AAAA. An IP literal is resolved
 * synchronously, without DNS. `maddr` replaces the host. An empty list means unreachable,
 * as when the `transport` parameter names a transport that cannot be used.
 */
export function resolveTargets(
  uri: SipUri,
  usable: readonly Protocol[],
  dns: DnsLookup = systemDns,
): Observable<Target[]> {
  const host = bareHost(uri.params.maddr ?? uri.host);
  const requested = requestedProtocol(uri, usable);
  if (requested === null) return of([]);
  if (isIP(host)) {
    const protocol = uriProtocol(uri, usable);
    return of(protocol ? [{ protocol, address: host, port: uri.port ?? defaultPort(protocol) }] : []);
  }
  return from(resolveName(uri, host, usable, requested, dns).catch(() => [] as Target[]));
}
