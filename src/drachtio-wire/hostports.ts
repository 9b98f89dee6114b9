/** A SIP listening point as a drachtio-server announces it: `udp/192.0.2.1:5060`. */
export interface HostPort {
  /** Lower case: `udp`, `tcp`, `tls`, `ws`, `wss`. */
  protocol: string;
  /** An IP address or host name, without brackets. */
  host: string;
  port: number;
}

/**
 * Reads the comma-separated list of listening points in an `authenticate` reply
 * (`udp/192.0.2.1:5060,tcp/[2001:db8::1]:5060`). Entries it cannot read are left out.
 *
 * @param text - the list
 * @returns the listening points
 */
export function parseHostPorts(text: string): HostPort[] {
  const points: HostPort[] = [];
  for (const entry of text.split(',')) {
    const match = /^\s*([a-z]+)\/(\[[^\]]+\]|[^:[\]]+):(\d{1,5})\s*$/i.exec(entry);
    if (!match) continue;
    const [, protocol = '', hostText = '', portText = ''] = match;
    const host = hostText.startsWith('[') ? hostText.slice(1, -1) : hostText;
    points.push({ protocol: protocol.toLowerCase(), host, port: Number(portText) });
  }
  return points;
}

/**
 * Writes listening points as drachtio-server announces them.
 *
 * @param points - the listening points
 * @returns `udp/192.0.2.1:5060,tcp/192.0.2.1:5060`
 */
export function formatHostPorts(points: readonly HostPort[]): string {
  return points
    .map((p) => `${p.protocol}/${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`)
    .join(',');
}
