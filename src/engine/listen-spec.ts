import { type ListenOptions, PROTOCOLS, type Protocol } from '../transport/types.js';

/**
 * Parses a listening point written as `[protocol:]host:port` (IPv6 hosts in brackets).
 * Without a protocol, UDP and TCP are both opened on the address, as SIP servers usually do.
 *
 * @example
 * parseListenSpec('127.0.0.1:5060')        // udp + tcp
 * parseListenSpec('tls:[::1]:5061')        // tls on ::1
 */
export function parseListenSpec(spec: string): ListenOptions[] {
  const match = /^(?:([a-z]+):)?(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(spec.trim());
  if (!match) throw new Error(`listen: "${spec}" is not [udp|tcp|tls|ws|wss:]host:port`);
  const [, protocolText, hostText = '', portText = ''] = match;
  const port = Number(portText);
  if (port > 65535) throw new Error(`listen: port ${port} in "${spec}" is out of range`);
  const host = hostText.startsWith('[') ? hostText.slice(1, -1) : hostText;
  if (protocolText !== undefined && !(PROTOCOLS as readonly string[]).includes(protocolText)) {
    throw new Error(`listen: unknown protocol "${protocolText}" in "${spec}"`);
  }
  const protocols: Protocol[] = protocolText ? [protocolText as Protocol] : ['udp', 'tcp'];
  return protocols.map((protocol) => ({ protocol, host, port }));
}
