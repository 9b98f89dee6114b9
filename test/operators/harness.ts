// What the operator specs run on: a TestScheduler in run mode (1 frame = 1 ms), a user agent on
// the virtual network, and incoming calls made by hand, so a marble's values can be requests.
import { pino } from 'pino';
import { Observable, type OperatorFunction, of, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { acceptInvite } from '../../src/dialogs/uas-invite.js';
import { UserAgent } from '../../src/dialogs/user-agent.js';
import type { InboundRequest } from '../../src/engine/engine.js';
import { type RequestEvent, SrfRequest } from '../../src/requests/srf-request.js';
import { SrfResponse } from '../../src/requests/srf-response.js';
import { createRequest, createResponse } from '../../src/sip/build.js';
import type { SipRequest, SipResponse } from '../../src/sip/message.js';
import { Srf } from '../../src/srf/srf.js';
import { MemoryEngine } from '../../src/testing/memory-engine.js';
import { VirtualNetwork } from '../../src/testing/virtual-network.js';
import type { Source } from '../../src/transport/types.js';

export type Helpers = Parameters<Parameters<TestScheduler['run']>[0]>[0];

/** Runs `body` in virtual time with marble helpers. */
export function marbles(body: (helpers: Helpers, scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run((helpers) => body(helpers, scheduler));
}

/** A user agent at 10.0.0.2 on a virtual network, as an Srf would make it. */
export function userAgent(scheduler: TestScheduler, network = new VirtualNetwork(scheduler)): UserAgent {
  const logger = pino({ level: 'silent' });
  const engine = new MemoryEngine(network, { address: '10.0.0.2', logger });
  return new UserAgent(engine, scheduler, logger, { t1: 500, t2: 4000 }, () => 0.5);
}

export const SDP =
  'v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

/** An incoming call made by hand: its event, what was sent on it, and a CANCEL to give it. */
export interface HandCall {
  event: RequestEvent;
  /** Responses sent on the server transaction, in order. */
  sent: SipResponse[];
  /** The caller cancels: 487 for the INVITE, then `cancel$`. */
  cancel(): void;
}

let calls = 0;

/** An INVITE from 10.0.0.1 reaching `ua`, with a server transaction that records what is sent. */
export function handCall(ua: UserAgent, options: { contact?: boolean; sdp?: string } = {}): HandCall {
  const n = ++calls;
  const message = createRequest({
    method: 'INVITE',
    uri: 'sip:app@10.0.0.2',
    from: '<sip:caller@10.0.0.1>',
    callId: `hand-call-${n}`,
    headers: options.contact === false ? {} : { Contact: '<sip:caller@10.0.0.1>' },
    body: options.sdp ?? SDP,
    contentType: 'application/sdp',
  });
  message.append('Via', `SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKhand${n}`, { first: true });
  const source: Source = {
    protocol: 'udp',
    address: '10.0.0.1',
    port: 5060,
    local: { protocol: 'udp', address: '10.0.0.2', port: 5060 },
  };
  const sent: SipResponse[] = [];
  const finals = new Subject<SipResponse>();
  const cancels = new Subject<SipRequest>();
  let final: SipResponse | undefined;
  let canceled: SipRequest | undefined;
  const inbound: InboundRequest = {
    message,
    source,
    respond(response) {
      if (final) return false;
      sent.push(response);
      if (response.status >= 200) {
        final = response;
        finals.next(response);
        finals.complete();
      }
      return true;
    },
    responder() {
      return (response) => inbound.respond(response);
    },
    get finalSent() {
      return final !== undefined;
    },
    get cancel$() {
      return canceled ? of(canceled) : cancels.asObservable();
    },
    get canceled() {
      return canceled !== undefined;
    },
    get final$(): Observable<SipResponse> {
      return final ? new Observable<SipResponse>((s) => s.complete()) : finals.asObservable();
    },
  };
  const req = new SrfRequest(inbound, ua);
  const res = new SrfResponse(req, { channel: acceptInvite(ua, req) });
  return {
    event: { req, res },
    sent,
    cancel() {
      if (final) return;
      const cancel = createRequest({ method: 'CANCEL', uri: message.uri, from: message.get('from') ?? '' });
      canceled = cancel;
      inbound.respond(createResponse(message, 487, { toTag: res.toTag }));
      cancels.next(cancel);
      cancels.complete();
    },
  };
}

/** Another party on the network at `address`, taking each INVITE with `onInvite`. */
export function party(network: VirtualNetwork, address: string, onInvite: (call: RequestEvent) => void): Srf {
  const srf = new Srf({ logger: pino({ level: 'silent' }), scheduler: network.scheduler }).attach(
    new MemoryEngine(network, { address }),
  );
  srf.invite$.subscribe(onInvite);
  return srf;
}

/** The method or status of each packet that crossed the network, in order. */
export function wireWords(network: VirtualNetwork): string[] {
  return network.packets.map((p) => {
    const line = p.data.toString().split('\r\n')[0] ?? '';
    return line.split(' ')[line.startsWith('SIP/') ? 1 : 0] ?? '';
  });
}

/**
 * A call that 10.0.0.3 rings and never answers, taken through `operator`, whose subscription
 * ends at 5 ms: checks the source was let go then, and returns the words on the wire.
 */
export function unsubscribedWhileRinging(operator: OperatorFunction<RequestEvent, unknown>): string[] {
  const wire: string[] = [];
  marbles(({ hot, expectObservable, expectSubscriptions }, scheduler) => {
    const network = new VirtualNetwork(scheduler);
    const ua = userAgent(scheduler, network);
    party(network, '10.0.0.3', ({ res }) => res.send(180));
    const call = handCall(ua);
    const source = hot('-c------', { c: call.event });
    expectObservable(source.pipe(operator), '^----!').toBe('');
    expectSubscriptions(source.subscriptions).toBe('^----!');
    scheduler.schedule(() => wire.push(...wireWords(network)), 50);
  });
  return wire;
}
