// The project's call-flow tests on rxsip/testing: alice (10.0.0.1) and bob (10.0.0.2), and
// carol and dave for three parties, are Srfs (rxsip/drachtio's, a superset) on the kit's virtual
// network, in virtual time.
import { mergeMap, timer } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { Srf } from '../../src/drachtio.js';
import { type Dialog, uas$ } from '../../src/index.js';
import { createResponse } from '../../src/sip/build.js';
import { SipRequest, type SipResponse } from '../../src/sip/message.js';
import { parseMessage } from '../../src/sip/parser.js';
import {
  ladderOf,
  type NetworkConditions,
  type SipTestKit,
  sipTest,
  sipTestAsync,
  type VirtualNetwork,
} from '../../src/testing.js';
import type { Source } from '../../src/transport/types.js';

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
  kit: SipTestKit;
}

const drachtio = { make: (options: ConstructorParameters<typeof Srf>[0]) => new Srf(options) };

function parties(kit: SipTestKit): VirtualCall {
  return {
    kit,
    scheduler: kit.scheduler,
    network: kit.network,
    alice: kit.app({ ...drachtio, name: 'A', address: '10.0.0.1' }),
    bob: kit.app({ ...drachtio, name: 'B', address: '10.0.0.2' }),
  };
}

/**
 * Runs `body` in virtual time (1 frame = 1 ms) with alice and bob on the kit's network, and
 * returns the network for assertions on the wire once every timer has run.
 */
export function virtualCall(
  body: (call: VirtualCall) => void,
  conditions: NetworkConditions = {},
  random?: () => number,
): VirtualNetwork {
  return sipTest((kit) => body(parties(kit)), { ...conditions, random: random ?? Math.random }).network;
}

/** The same for the Promise and callback forms: `body` awaits in virtual time. */
export async function asyncCall(
  body: (call: VirtualCall) => Promise<void>,
  conditions: NetworkConditions = {},
): Promise<VirtualNetwork> {
  return (await sipTestAsync((kit) => body(parties(kit)), { ...conditions, random: Math.random })).network;
}

const NAMES = new Map([
  [ALICE, 'A'],
  [BOB, 'B'],
  ['10.0.0.3:5060', 'C'],
  ['10.0.0.4:5060', 'D'],
]);

/** `time from->to first-line` for each packet, to compare call flows at a glance. */
export function flow(network: VirtualNetwork): string[] {
  return ladderOf(network, NAMES);
}

export function packetsMatching(network: VirtualNetwork, firstLine: RegExp): string[] {
  return network.packets
    .map((p) => p.data.toString('utf8'))
    .filter((t) => firstLine.test(t.split('\r\n')[0] ?? ''));
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
  return sipTest(
    (kit) => {
      const two = parties(kit);
      body({
        ...two,
        carol: kit.app({ ...drachtio, name: 'C', address: '10.0.0.3' }),
        dave: kit.app({ ...drachtio, name: 'D', address: '10.0.0.4' }),
      });
    },
    { ...conditions, random: Math.random },
  ).network;
}

/** Like {@link flow}, naming all four parties: `time X->Y first-line`. */
export function ladder(network: VirtualNetwork): string[] {
  return ladderOf(network, NAMES);
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

/** For {@link answeringTwice}: tag one, its retransmission, a fork (two), and tag one after Timer M. */
export const RETRANSMITTED_AND_FORKED: readonly [number, string][] = [
  [0, 'one'],
  [500, 'one'],
  [1000, 'two'],
  [40_000, 'one'],
];

/**
 * A raw endpoint, no SIP stack (carol's address unless told): the first INVITE is answered 200
 * at each `[ms after it, To tag]` (one tag twice is a retransmission, its ACK "lost"; another
 * tag a fork), and every BYE 200; no 100 Trying, and a CANCEL is ignored. For what a UAC or
 * proxy does with the 2xx after the first, or with one that beats a CANCEL.
 */
export function answeringTwice(
  call: VirtualCall,
  answers: readonly [number, string][],
  address = '10.0.0.3',
): void {
  const { network, scheduler } = call;
  const carol = { protocol: 'udp' as const, address, port: 5060 };
  let invite: SipRequest | undefined;
  const reply = (to: Source, response: SipResponse) =>
    network.send(carol, { address: to.address, port: to.port }, response.toBuffer());
  network.bind(carol, (data, source) => {
    const message = parseMessage(data);
    if (!(message instanceof SipRequest)) return;
    if (message.method === 'BYE') reply(source, createResponse(message, 200));
    if (message.method !== 'INVITE' || invite) return;
    invite = message;
    const request = message;
    for (const [after, tag] of answers) {
      const ok = createResponse(request, 200, {
        toTag: tag,
        headers: { Contact: `<sip:carol@${address}>` },
        body: SDP_C,
        contentType: 'application/sdp',
      });
      scheduler.schedule(() => reply(source, ok), after);
    }
  });
}

/** The To tag in a packet's text, for ladders that must tell dialogs apart. */
export function toTagIn(text: string): string | undefined {
  return /\r\nTo:[^\r]*;tag=([^;\s>]+)/i.exec(text)?.[1];
}
