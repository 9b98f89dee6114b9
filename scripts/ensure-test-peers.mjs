#!/usr/bin/env node
// The tests drive rxsip with real SIP peers (SIPp, sipsak). Install them when missing and we are root;
// otherwise stop with a clear message. Never let a test skip silently for want of a peer.
import { execFileSync, spawnSync } from 'node:child_process';

const peers = [
  { binary: 'sipp', pkg: 'sip-tester' },
  // Digest authentication against a second client (test/requests/sipp-digest-auth.test.ts).
  { binary: 'sipsak', pkg: 'sipsak' },
  // A DNS server on a loopback port for RFC 3263 NAPTR/SRV/A resolution (test/transport/dns-servers.test.ts);
  // in /usr/sbin, which a user's PATH may not hold.
  { binary: '/usr/sbin/dnsmasq', pkg: 'dnsmasq-base' },
  // The seed document's drachtio examples run in a network namespace holding their fixed
  // addresses (test/support/netns.ts), one with rtpengine as its media proxy.
  { binary: '/usr/sbin/ip', pkg: 'iproute2' },
  { binary: 'rtpengine', pkg: 'rtpengine-daemon' },
  // The registrar's shared location store (test/registrar/redis-store.test.ts).
  { binary: 'redis-server', pkg: 'redis-server' },
  // A softphone registering to the registrar example and called through it (test/examples/registrar-baresip.test.ts).
  { binary: 'baresip', pkg: 'baresip' },
  // Kamailio's dispatcher in front of rxsip nodes (test/examples/cluster.test.ts); in /usr/sbin.
  { binary: '/usr/sbin/kamailio', pkg: 'kamailio' },
];

function has(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

const missing = peers.filter((p) => !has(p.binary));
if (missing.length === 0) process.exit(0);

const packages = missing.map((p) => p.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
  console.error(`rxsip tests need: ${missing.map((p) => p.binary).join(', ')}.`);
  console.error(`Install them with: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`);
  process.exit(1);
}
console.log(`Installing test peers: ${packages.join(' ')}`);
try {
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
} catch {
  console.error(`Could not install ${packages.join(' ')}; the tests against real peers cannot run.`);
  process.exit(1);
}
const still = missing.filter((p) => !has(p.binary));
if (still.length > 0) {
  console.error(`Still missing after install: ${still.map((p) => p.binary).join(', ')}`);
  process.exit(1);
}
