// The engine's dns option: a list of servers, checked, with an error that names the field.
import { describe, expect, it } from 'vitest';
import { startEmbeddedEngine } from '../../src/index.js';

const listen = ['127.0.0.1:0'];

describe('the dns option', () => {
  it('a server that is not an IP address (with a port) names its entry', async () => {
    for (const bad of ['dns.example.com', '127.0.0.1:99999', '[127.0.0.1]:53', '[::1]:0', ''])
      await expect(startEmbeddedEngine({ listen, dns: { servers: [bad] } }), bad).rejects.toThrow(
        /^engine options: dns\.servers\.0: expected an IP address/,
      );
  });

  it('an empty list, or neither servers nor a DnsLookup, names the field', async () => {
    await expect(startEmbeddedEngine({ listen, dns: { servers: [] } })).rejects.toThrow(
      'engine options: dns.servers: at least one DNS server is needed',
    );
    await expect(startEmbeddedEngine({ listen, dns: { servrs: ['127.0.0.1'] } } as never)).rejects.toThrow(
      'engine options: dns: expected {servers: [...]} or a DnsLookup',
    );
  });

  it('takes IPv4 and IPv6 servers, with or without a port', async () => {
    const engine = await startEmbeddedEngine({
      listen,
      dns: { servers: ['127.0.0.1', '127.0.0.1:5353', '::1', '[::1]:5353'] },
    });
    await engine.close();
  });
});
