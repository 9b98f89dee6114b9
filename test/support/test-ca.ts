// A test certificate authority and a certificate it signed for 127.0.0.1, made with the openssl
// CLI as the README tells users to, written to files the way the examples' --tls-* flags take them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestAuthority {
  /** The directory holding the files; `remove()` deletes it. */
  dir: string;
  /** The CA's certificate (PEM file), what a peer trusts. */
  caFile: string;
  /** The server certificate for 127.0.0.1 and localhost, signed by the CA (PEM file). */
  certFile: string;
  /** Its private key (PEM file). */
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

export function testAuthority(): TestAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'rxsip-ca-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-subj',
    '/CN=rxsip test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  openssl(dir, ['req', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  ]);
  const file = (name: string) => join(dir, name);
  return {
    dir,
    caFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    cert: readFileSync(file('server.pem')),
    key: readFileSync(file('server.key')),
    ca: readFileSync(file('ca.pem')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
