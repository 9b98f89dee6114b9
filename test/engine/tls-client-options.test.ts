// The engine's options for the TLS connections rxsip opens (tlsClient): each field checked and
// named when wrong; real connections with them are tested in test/examples/tls.test.ts.
import { describe, expect, it } from 'vitest';
import { startEmbeddedEngine } from '../../src/index.js';

const listen = ['127.0.0.1:0'];

describe('engine options: tlsClient', () => {
  it('rejectUnauthorized and servername are checked, naming the field', async () => {
    await expect(
      startEmbeddedEngine({ listen, tlsClient: { rejectUnauthorized: 'no' as never } }),
    ).rejects.toThrow(/^engine options: tlsClient\.rejectUnauthorized: /);
    await expect(startEmbeddedEngine({ listen, tlsClient: { servername: '' } })).rejects.toThrow(
      /^engine options: tlsClient\.servername: /,
    );
  });

  it('a CA, certificate or key given as a file path gets a word about PEM', async () => {
    for (const field of ['ca', 'cert', 'key'] as const) {
      await expect(
        startEmbeddedEngine({ listen, tlsClient: { [field]: '/etc/ssl/test-ca.pem' } }),
      ).rejects.toThrow(
        `engine options: tlsClient.${field}: expected PEM text (-----BEGIN ...), got "/etc/ssl/test-ca.pem", which looks like a file path: pass readFileSync(path)`,
      );
    }
  });
});
