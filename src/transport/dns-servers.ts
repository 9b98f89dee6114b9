import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import type { DnsLookup } from './resolver.js';

const BRACKETED = /^\[([^\]]+)\](?::(\d{1,5}))?$/;
const WITH_PORT = /^([^:]+):(\d{1,5})$/;

/**
 * Whether `text` names a DNS server as `dns.setServers` takes it: an IP address, with a port as
 * `127.0.0.1:5353` or `[::1]:5353`.
 */
export function isDnsServer(text: string): boolean {
  const bracketed = BRACKETED.exec(text);
  if (bracketed) return isIP(bracketed[1] ?? '') === 6 && isPort(bracketed[2]);
  const withPort = WITH_PORT.exec(text);
  if (withPort) return isIP(withPort[1] ?? '') === 4 && isPort(withPort[2]);
  return isIP(text) !== 0;
}

function isPort(text: string | undefined): boolean {
  return text === undefined || (Number(text) >= 1 && Number(text) <= 65535);
}

/**
 * RFC 3263 lookups on the given DNS servers: NAPTR, SRV, A and AAAA all through one resolver
 * (`dns.lookup`, which the system resolver uses for addresses, would ignore the servers).
 */
export function serverDns(servers: readonly string[]): DnsLookup {
  const resolver = new dnsPromises.Resolver();
  resolver.setServers(servers);
  return {
    naptr: (name) => resolver.resolveNaptr(name),
    srv: (name) => resolver.resolveSrv(name),
    // A and AAAA asked at once; IPv4 first. No address at all rejects with the A query's error.
    addresses: async (name) => {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
      const addresses = [
        ...(v4.status === 'fulfilled' ? v4.value : []),
        ...(v6.status === 'fulfilled' ? v6.value : []),
      ];
      if (addresses.length === 0 && v4.status === 'rejected') throw v4.reason;
      return addresses;
    },
  };
}
