import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../src/engine/engine.js';
import { createRequest, createResponse } from '../../src/sip/build.js';
import type { HeaderInit } from '../../src/sip/message.js';
import type { Protocol } from '../../src/transport/types.js';
import { A, at, B, engine, network, virtualTime } from './harness.js';

const KINDS = ['ok', 'busy', 'ring', 'options', 'silent'] as const;

describe('lingering transactions', () => {
  it.each<[Protocol, number]>([
    ['udp', 0],
    ['udp', 4],
    ['tcp', 0],
  ])('all end when their timers have run (%s, every %ith packet lost)', (protocol, lossEvery) => {
    virtualTime((scheduler, flush) => {
      let n = 0;
      const net = network(scheduler, { drop: () => lossEvery > 0 && ++n % lossEvery === 0 });
      const uac = engine(net, { address: A, protocols: [protocol] });
      const uas = engine(net, { address: B, protocols: [protocol] });
      uas.requests$.subscribe((inbound) => {
        const request = inbound.message;
        const answer = (status: number) => inbound.respond(createResponse(request, status, { toTag: 'uas' }));
        if (request.method === 'OPTIONS') answer(200);
        else if (request.calledNumber === 'ok') answer(200);
        else if (request.calledNumber === 'busy') at(scheduler, scheduler.now() + 300, () => answer(486));
        else if (request.calledNumber === 'ring') answer(180);
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number];
        at(scheduler, i * 100, () => {
          const method = kind === 'options' ? 'OPTIONS' : 'INVITE';
          const request = createRequest({
            method,
            uri: `sip:${kind}@${B}${protocol === 'udp' ? '' : `;transport=${protocol}`}`,
            from: '<sip:alice@example.com>',
          });
          const cancel$ = new Subject<HeaderInit>();
          if (kind === 'ring') at(scheduler, scheduler.now() + 2000, () => cancel$.next({}));
          const finals: number[] = [];
          uac.send(request, { cancel$ }).subscribe({
            next: (e: OutboundEvent) => {
              if (e.kind === 'response' && e.response.status >= 200) finals.push(e.response.status);
            },
            complete: () => outcomes.push(`${kind} ${finals.length > 0 ? 'final' : 'none'}`),
          });
          // the application never answers 'silent' (the stack sends 100 Trying): its caller cancels
          if (kind === 'silent') at(scheduler, scheduler.now() + 5000, () => cancel$.next({}));
        });
      }
      flush();
      expect(outcomes).toHaveLength(40);
      expect(outcomes.filter((o) => o.endsWith('none'))).toEqual([]);
      expect(uac.layer.counts).toEqual({ client: 0, server: 0 });
      expect(uas.layer.counts).toEqual({ client: 0, server: 0 });
      expect(uac.layer.timers.pending).toBe(0);
      expect(uas.layer.timers.pending).toBe(0);
    });
  });
});
