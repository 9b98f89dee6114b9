import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import type { OutboundEvent } from '../../src/engine/engine.js';
import { createRequest, createResponse, type ResponseInit } from '../../src/sip/build.js';
import { newBranch } from '../../src/sip/ids.js';
import { type HeaderInit, SipRequest, type SipResponse } from '../../src/sip/message.js';
import { parseMessage } from '../../src/sip/parser.js';
import { MemoryEngine, type MemoryEngineOptions } from '../../src/testing/memory-engine.js';
import { type NetworkConditions, VirtualNetwork } from '../../src/testing/virtual-network.js';
import type { Endpoint, Protocol, Source } from '../../src/transport/types.js';

export const A = '10.0.0.1';
export const B = '10.0.0.2';

/**
 * Runs `body` in virtual time: 1 frame = 1 ms, every scheduled action (retransmissions,
 * timeouts, packets in flight) runs when `body` returns or calls `flush()`.
 */
export function virtualTime(body: (scheduler: TestScheduler, flush: () => void) => void): void {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run(({ flush }) => body(scheduler, flush));
}

/** Runs `fn` at virtual time `time` (ms from the start of the test). */
export function at(scheduler: SchedulerLike, time: number, fn: () => void): void {
  scheduler.schedule(fn, time - scheduler.now());
}

/** A message's short name: the method of a request, `status method` of a response. */
export function label(message: SipRequest | SipResponse): string {
  return message instanceof SipRequest ? message.method : `${message.status} ${message.cseq.method}`;
}

/** The wire as `time label` lines, optionally only what `from` sent (an address, any port). */
export function wire(network: VirtualNetwork, from?: string): string[] {
  return network.packets
    .filter((p) => from === undefined || p.from.startsWith(`${from}:`))
    .map((p) => `${p.time} ${label(parseMessage(p.data))}`);
}

/** The messages `from` sent, parsed, with their times. */
export function sent(
  network: VirtualNetwork,
  from: string,
): { time: number; message: SipRequest | SipResponse }[] {
  return network.packets
    .filter((p) => p.from.startsWith(`${from}:`))
    .map((p) => ({ time: p.time, message: parseMessage(p.data) }));
}

export function network(scheduler: SchedulerLike, conditions?: NetworkConditions): VirtualNetwork {
  return new VirtualNetwork(scheduler, conditions);
}

export function engine(net: VirtualNetwork, options: MemoryEngineOptions): MemoryEngine {
  return new MemoryEngine(net, options);
}

/** Options for the engine under test; the setups choose its address. */
export type SetupOptions = Omit<MemoryEngineOptions, 'address'>;

/** A network, an engine on `address`, and a scripted peer on `peerAddress` speaking its first protocol. */
function enginePair(scheduler: SchedulerLike, address: string, peerAddress: string, options: SetupOptions) {
  const net = network(scheduler);
  const stack = engine(net, { ...options, address });
  return { net, engine: stack, peer: new Peer(net, peerAddress, options.protocols?.[0]) };
}

/** A UAS engine on B and a scripted peer on A, on the engine's first protocol (UDP by default). */
export function uasSetup(scheduler: SchedulerLike, options: SetupOptions = {}) {
  const { net, engine: uas, peer } = enginePair(scheduler, B, A, options);
  return { net, uas, peer };
}

/** A UAC engine on A and a scripted peer on B, on the engine's first protocol (UDP by default). */
export function uacSetup(scheduler: SchedulerLike, options: SetupOptions = {}) {
  const { net, engine: uac, peer } = enginePair(scheduler, A, B, options);
  return { net, uac, peer };
}

/**
 * How many `side` transactions `stack` holds 1 ms before and 1 ms after `end`, as `time count`
 * lines: `['31999 1', '32001 0']` when a timer ends the only transaction at 32000.
 */
export function countsAround(
  scheduler: SchedulerLike,
  stack: MemoryEngine,
  side: 'client' | 'server',
  end: number,
): string[] {
  const counts: string[] = [];
  for (const time of [end - 1, end + 1]) {
    at(scheduler, time, () => counts.push(`${time} ${stack.layer.counts[side]}`));
  }
  return counts;
}

/** Lines sent before the stack answers for a silent application (inviteAnswerTimeout, 180 s). */
export function beforeDeadline(lines: string[]): string[] {
  return lines.filter((line) => Number(line.split(' ')[0]) < 180_000);
}

/** `request` as another method of its transaction (same branch, CSeq number), To-tagged if `toTag`. */
export function derive(request: SipRequest, method: string, toTag?: string): SipRequest {
  const copy = request.clone();
  copy.method = method;
  copy.set('CSeq', `${request.cseq.seq} ${method}`);
  if (toTag) copy.set('To', `${request.get('to')};tag=${toTag}`);
  return copy;
}

/** What an engine's send() emitted, as `time sent` / `time status` / `time status failure`. */
export function record(scheduler: SchedulerLike): {
  lines: string[];
  next: (e: OutboundEvent) => void;
  complete: () => void;
} {
  const lines: string[] = [];
  return {
    lines,
    next: (e) => {
      const t = scheduler.now();
      if (e.kind === 'sent') lines.push(`${t} sent ${e.target.address}`);
      else lines.push(`${t} ${e.response.status}${e.failure ? ` ${e.failure}` : ''}`);
    },
    complete: () => lines.push(`${scheduler.now()} complete`),
  };
}

/**
 * A scripted SIP endpoint without a transaction layer: it records what it receives and sends
 * exactly what the test tells it to, so retransmissions, forks and lost ACKs can be staged.
 */
export class Peer {
  readonly received: { time: number; message: SipRequest | SipResponse; source: Source }[] = [];
  readonly endpoint: Endpoint;
  private handler: ((message: SipRequest | SipResponse, source: Source) => void) | undefined;

  constructor(
    private readonly net: VirtualNetwork,
    address: string,
    protocol: Protocol = 'udp',
    port = 5060,
  ) {
    this.endpoint = { protocol, address, port };
    net.bind(this.endpoint, (data, source) => {
      const message = parseMessage(data);
      this.received.push({ time: net.scheduler.now(), message, source });
      this.handler?.(message, source);
    });
  }

  /** Reacts to every message received. */
  on(handler: (message: SipRequest | SipResponse, source: Source) => void): void {
    this.handler = handler;
  }

  /** The first `method` request this peer received (the type assumes one came). */
  first(method: string): SipRequest {
    return this.requests(method)[0] as SipRequest;
  }

  requests(method?: string): SipRequest[] {
    return this.received
      .map((r) => r.message)
      .filter(
        (m): m is SipRequest => m instanceof SipRequest && (method === undefined || m.method === method),
      );
  }

  send(message: SipRequest | SipResponse, to: { address: string; port: number }): void {
    this.net.send(this.endpoint, to, message.toBuffer());
  }

  /** Answers `request` (to where it came from, as RFC 3261 §18.2.2 would with rport). */
  reply(request: SipRequest, status: number, init?: ResponseInit): SipResponse {
    const response = createResponse(request, status, init);
    const source = this.received.find((r) => r.message === request)?.source;
    const via = request.topVia;
    this.send(response, source ?? { address: via.host, port: via.port ?? 5060 });
    return response;
  }

  /** A request from this peer with its own Via (a fresh RFC 3261 branch unless given). */
  request(
    method: string,
    to: string,
    init: { branch?: string | null; headers?: HeaderInit; cseq?: number; callId?: string } = {},
  ): SipRequest {
    const request = createRequest({
      method,
      uri: `sip:bob@${to}`,
      from: `<sip:alice@${this.endpoint.address}>`,
      cseq: init.cseq,
      callId: init.callId,
      headers: init.headers,
    });
    const branch = init.branch === undefined ? newBranch() : init.branch;
    const transport = this.endpoint.protocol.toUpperCase();
    const sentBy = `${this.endpoint.address}:${this.endpoint.port}`;
    request.append('Via', `SIP/2.0/${transport} ${sentBy}${branch === null ? '' : `;branch=${branch}`}`, {
      first: true,
    });
    return request;
  }
}

/** A scheduler that counts the actions it has pending, to see how many timers cost. */
export class CountingScheduler implements SchedulerLike {
  pending = 0;
  scheduled = 0;

  constructor(private readonly inner: SchedulerLike) {}

  now(): number {
    return this.inner.now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    this.pending++;
    this.scheduled++;
    let done = false;
    const finish = () => {
      if (!done) this.pending--;
      done = true;
    };
    const subscription = this.inner.schedule(
      function (this: SchedulerAction<T>, s?: T) {
        finish();
        work.call(this, s);
      },
      delay,
      state,
    );
    subscription.add(finish);
    return subscription;
  }
}

export function invite(to: string, headers?: HeaderInit): SipRequest {
  return createRequest({ method: 'INVITE', uri: `sip:bob@${to}`, from: '<sip:alice@example.com>', headers });
}

export function options(to: string): SipRequest {
  return createRequest({ method: 'OPTIONS', uri: `sip:bob@${to}`, from: '<sip:alice@example.com>' });
}
