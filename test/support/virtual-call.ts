// Two Srf instances on a virtual network in virtual time: alice at 10.0.0.1, bob at 10.0.0.2.
import { pino } from 'pino';
import { asyncScheduler, mergeMap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { Srf } from '../../src/drachtio.js';
import { type Dialog, uas$ } from '../../src/index.js';
import { MemoryEngine } from '../../src/testing/memory-engine.js';
import { type NetworkConditions, VirtualNetwork } from '../../src/testing/virtual-network.js';

export const ALICE = '10.0.0.1:5060';
export const BOB = '10.0.0.2:5060';
export const SDP_A =
  'v=0\r\no=alice 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n';
export const SDP_B =
  'v=0\r\no=bob 2 2 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n';

export interface VirtualCall {
  scheduler: TestScheduler;
  network: VirtualNetwork;
  alice: Srf;
  bob: Srf;
}

/**
 * Runs `body` in virtual time (1 frame = 1 ms) with alice and bob attached to in-memory engines,
 * and returns the network for assertions on the wire once every timer has run.
 */
export function virtualCall(
  body: (call: VirtualCall) => void,
  conditions: NetworkConditions = {},
  random?: () => number,
): VirtualNetwork {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  let network!: VirtualNetwork;
  scheduler.run(() => {
    network = new VirtualNetwork(scheduler, conditions);
    const logger = pino({ level: 'silent' });
    const alice = new Srf({ logger, scheduler, random }).attach(
      new MemoryEngine(network, { address: '10.0.0.1' }),
    );
    const bob = new Srf({ logger, scheduler, random }).attach(
      new MemoryEngine(network, { address: '10.0.0.2' }),
    );
    body({ scheduler, network, alice, bob });
  });
  return network;
}

/** `time from->to first-line` for each packet, to compare call flows at a glance. */
export function flow(network: VirtualNetwork): string[] {
  return network.packets.map(
    (p) =>
      `${p.time} ${p.from === ALICE ? 'A->B' : p.from === BOB ? 'B->A' : `${p.from}->${p.to}`} ${p.data
        .toString('utf8')
        .split('\r\n')[0]
        ?.replace(/ sip:\S+ SIP\/2\.0$/, '')
        .replace(/^SIP\/2\.0 /, '')}${p.dropped ? ' (lost)' : ''}`,
  );
}

export function packetsMatching(network: VirtualNetwork, firstLine: RegExp): string[] {
  return network.packets
    .map((p) => p.data.toString('utf8'))
    .filter((t) => firstLine.test(t.split('\r\n')[0] ?? ''));
}

/**
 * alice and bob on a virtual network in real time (no latency), for the Promise and callback
 * APIs, whose resolution runs on the microtask queue and so outside virtual time.
 */
export function realtimeCall(): { network: VirtualNetwork; alice: Srf; bob: Srf; close(): Promise<void> } {
  const network = new VirtualNetwork(asyncScheduler, { latency: 0 });
  const logger = pino({ level: 'silent' });
  const alice = new Srf({ logger }).attach(new MemoryEngine(network, { address: '10.0.0.1' }));
  const bob = new Srf({ logger }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
  return {
    network,
    alice,
    bob,
    close: async () => {
      await alice.close();
      await bob.close();
    },
  };
}

export const CAROL = '10.0.0.3:5060';
export const DAVE = '10.0.0.4:5060';
export const SDP_C =
  'v=0\r\no=carol 3 3 IN IP4 10.0.0.3\r\ns=-\r\nc=IN IP4 10.0.0.3\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=sendrecv\r\n';

export interface ThreeParties extends VirtualCall {
  carol: Srf;
  dave: Srf;
}

/** alice (10.0.0.1) calls through bob (10.0.0.2, the B2BUA or proxy) to carol (10.0.0.3) or dave (10.0.0.4). */
export function threeParties(
  body: (parties: ThreeParties) => void,
  conditions: NetworkConditions = {},
): VirtualNetwork {
  return virtualCall((call) => {
    const logger = pino({ level: 'silent' });
    const carol = new Srf({ logger, scheduler: call.scheduler }).attach(
      new MemoryEngine(call.network, { address: '10.0.0.3' }),
    );
    const dave = new Srf({ logger, scheduler: call.scheduler }).attach(
      new MemoryEngine(call.network, { address: '10.0.0.4' }),
    );
    body({ ...call, carol, dave });
  }, conditions);
}

const NAMES: Record<string, string> = { [ALICE]: 'A', [BOB]: 'B', [CAROL]: 'C', [DAVE]: 'D' };

/** Like {@link flow}, naming all four parties: `time X->Y first-line`. */
export function ladder(network: VirtualNetwork): string[] {
  return network.packets.map(
    (p) =>
      `${p.time} ${NAMES[p.from] ?? p.from}->${NAMES[p.to] ?? p.to} ${p.data
        .toString('utf8')
        .split('\r\n')[0]
        ?.replace(/ sip:\S+ SIP\/2\.0$/, '')
        .replace(/^SIP\/2\.0 /, '')}${p.dropped ? ' (lost)' : ''}`,
  );
}

/** Sets up a call alice → bob and hands both dialogs to `then` 10 ms after it is confirmed. */
export function connected(call: VirtualCall, then: (uac: Dialog, uas: Dialog) => void): void {
  const { alice, bob } = call;
  let uas: Dialog | undefined;
  bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe((d) => (uas = d));
  alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe((p) => {
    if (p.type === 'dialog') timer(10).subscribe(() => then(p.dialog, uas as Dialog));
  });
}
