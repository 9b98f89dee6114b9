import { isIPv6, type Server } from 'node:net';
import type { ListeningPoint, ListenOptions } from './types.js';

/** Binds a connection-oriented server (TCP, TLS, HTTP for WebSocket) and describes where it listens. */
export function listenServer(server: Server, options: ListenOptions): Promise<ListeningPoint> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host, ipv6Only: isIPv6(options.host) }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('listen: no address'));
        return;
      }
      resolve({
        protocol: options.protocol,
        address: address.address,
        port: address.port,
        advertised: {
          host: options.advertisedHost ?? address.address,
          port: options.advertisedPort ?? address.port,
        },
      });
    });
  });
}
