import { EMPTY, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { SipError } from '../../src/dialogs/sip-error.js';
import { type RelayLeg, relayInDialog } from '../../src/operators/relay-in-dialog.js';
import type { RequestEvent } from '../../src/requests/srf-request.js';
import { SipResponse } from '../../src/sip/message.js';
import { type Helpers, marbles } from './harness.js';

const STREAMS = ['reinvite$', 'info$', 'update$', 'refer$', 'notify$', 'message$'] as const;

/** A request arriving on a leg whose answers are recorded as `time status`. */
function request(scheduler: TestScheduler, answers: string[], method: string, body = ''): RequestEvent {
  const req = { method, body, payload: Buffer.from(body), get: () => undefined };
  const res = { send: (status: number) => answers.push(`${scheduler.now()} ${status}`) };
  return { req, res } as unknown as RequestEvent;
}

function ok(status = 200): SipResponse {
  return new SipResponse(status, 'OK');
}

type Logs = Parameters<Helpers['expectSubscriptions']>[0];

type Streams = Partial<Record<(typeof STREAMS)[number], Observable<RequestEvent>>>;

/** A leg whose incoming streams are the given ones (silent otherwise) and whose sends are `send`. */
function leg(
  { hot }: Helpers,
  streams: Streams,
  send: { reinvite?: () => Observable<SipResponse>; request?: () => Observable<SipResponse> } = {},
): RelayLeg & { silent: Array<{ subscriptions: Logs }> } {
  const silent: Array<{ subscriptions: Logs }> = [];
  const made: Record<string, Observable<RequestEvent>> = {};
  for (const name of STREAMS) {
    const given = streams[name];
    if (given) made[name] = given;
    else {
      const quiet = hot<RequestEvent>('-');
      silent.push(quiet);
      made[name] = quiet;
    }
  }
  return {
    ...(made as Record<(typeof STREAMS)[number], Observable<RequestEvent>>),
    sendReinvite$: () => (send.reinvite ?? (() => hot<SipResponse>('-')))(),
    send$: () => (send.request ?? (() => hot<SipResponse>('-')))(),
    silent,
  };
}

describe('relayInDialog', () => {
  it('answers each re-INVITE with the other leg’s final response, a failure included, and relays the next one', () => {
    const answers: string[] = [];
    marbles((helpers, scheduler) => {
      const { hot, cold, expectObservable, expectSubscriptions } = helpers;
      const a = request(scheduler, answers, 'INVITE', 'sdp-1');
      const b = request(scheduler, answers, 'INVITE', 'sdp-2');
      const c = request(scheduler, answers, 'INVITE', 'sdp-3');
      const reinvites = hot('--a-b------c--', { a, b, c });
      const replies = [
        cold('--r|', { r: ok() }),
        cold('-#', undefined, new SipError(488, 'Not Acceptable Here')),
        cold('---r|', { r: ok() }),
      ];
      let next = 0;
      const uas = leg(helpers, { reinvite$: reinvites });
      const uac = leg(helpers, {}, { reinvite: () => replies[next++] as Observable<SipResponse> });
      const legs = { uas, uac };
      const source = hot('-l----', { l: legs });
      expectObservable(source.pipe(relayInDialog()), '^-------------------!').toBe('-l', { l: legs });
      // One at a time: b waits for a's answer; c is relayed after b's 488.
      expectSubscriptions(replies[0]?.subscriptions ?? []).toBe('--^-!');
      expectSubscriptions(replies[1]?.subscriptions ?? []).toBe('----^!');
      expectSubscriptions(replies[2]?.subscriptions ?? []).toBe('-----------^--!');
      expectSubscriptions(reinvites.subscriptions).toBe('-^------------------!');
    });
    expect(answers).toEqual(['4 200', '5 488', '14 200']);
  });

  it('answers an INFO the other leg could not take with 500, and keeps relaying', () => {
    const answers: string[] = [];
    marbles((helpers, scheduler) => {
      const { hot, cold, expectObservable } = helpers;
      const x = request(scheduler, answers, 'INFO', 'Signal=1');
      const y = request(scheduler, answers, 'INFO', 'Signal=2');
      const infos = hot('---x---y', { x, y });
      const replies = [cold('-#', undefined, new Error('dialog has ended')), cold('-r|', { r: ok(202) })];
      let next = 0;
      const uac = leg(helpers, { info$: infos });
      const uas = leg(helpers, {}, { request: () => replies[next++] as Observable<SipResponse> });
      const legs = { uas, uac };
      expectObservable(hot('l', { l: legs }).pipe(relayInDialog()), '^---------!').toBe('l', { l: legs });
    });
    expect(answers).toEqual(['4 500', '8 202']);
  });

  it('unsubscribing lets go of the source, every stream of both legs and a relay in flight', () => {
    marbles((helpers) => {
      const { hot, cold, expectObservable, expectSubscriptions } = helpers;
      const pending = cold<SipResponse>('--------r|', { r: ok() });
      const reinvites = hot('--a', { a: request({ now: () => 0 } as TestScheduler, [], 'INVITE', 'x') });
      const uas = leg(helpers, { reinvite$: reinvites });
      const uac = leg(helpers, {}, { reinvite: () => pending });
      const legs = { uas, uac };
      const source = hot('l-----', { l: legs });
      expectObservable(source.pipe(relayInDialog()), '^----!').toBe('l', { l: legs });
      expectSubscriptions(source.subscriptions).toBe('^----!');
      expectSubscriptions(reinvites.subscriptions).toBe('^----!');
      for (const quiet of [...uas.silent, ...uac.silent])
        expectSubscriptions(quiet.subscriptions).toBe('^----!');
      expectSubscriptions(pending.subscriptions).toBe('--^--!');
    });
  });

  it('listens to a leg with requests$ once for every relayed method, and lets go on unsubscribe', () => {
    const answers: string[] = [];
    const asked: string[][] = [];
    marbles((helpers, scheduler) => {
      const { hot, cold, expectObservable, expectSubscriptions } = helpers;
      const info = request(scheduler, answers, 'INFO', 'Signal=1');
      const message = request(scheduler, answers, 'MESSAGE', 'hi');
      const notify = request(scheduler, answers, 'NOTIFY');
      const incoming = hot('--i--m--n', { i: info, m: message, n: notify });
      const quietB = hot<RequestEvent>('-');
      const withRequests = (stream: Observable<RequestEvent>, send: () => Observable<SipResponse>) => ({
        ...leg(helpers, {}, { request: send }),
        requests$: (...names: string[]) => {
          asked.push(names);
          return stream;
        },
      });
      const uas = withRequests(incoming, () => hot<SipResponse>('-'));
      const uac = withRequests(quietB, () => cold('-r|', { r: ok() }));
      const legs = { uas, uac };
      expectObservable(hot('l', { l: legs }).pipe(relayInDialog()), '^----------!').toBe('l', {
        l: legs,
      });
      // One subscription per leg for all the methods (re-INVITEs keep their own, relayed in
      // order); the per-method streams are never used.
      expectSubscriptions(incoming.subscriptions).toBe('^----------!');
      expectSubscriptions(quietB.subscriptions).toBe('^----------!');
      for (const { silent } of [uas, uac]) {
        const [reinvites, ...others] = silent;
        expectSubscriptions(reinvites?.subscriptions ?? []).toBe('^----------!');
        for (const quiet of others) expectSubscriptions(quiet.subscriptions).toBe([]);
      }
    });
    expect(asked).toEqual([
      ['info', 'update', 'refer', 'notify', 'message'],
      ['info', 'update', 'refer', 'notify', 'message'],
    ]);
    expect(answers).toEqual(['3 200', '6 200', '9 200']);
  });

  it('completes once the source has and both legs’ streams have ended', () => {
    marbles((helpers) => {
      const { hot, expectObservable } = helpers;
      const ended = (): Streams =>
        Object.fromEntries(STREAMS.map((name) => [name, hot<RequestEvent>('----|')])) as Streams;
      const legs = { uas: leg(helpers, ended()), uac: leg(helpers, ended()) };
      expectObservable(hot('-l-|', { l: legs }).pipe(relayInDialog())).toBe('-l--|', { l: legs });
    });
  });

  it('waits for a relay in flight after both legs’ streams have ended, and relays a re-INVITE answered at once', () => {
    const answers: string[] = [];
    marbles((helpers, scheduler) => {
      const { hot, cold, expectObservable, expectSubscriptions } = helpers;
      const a = request(scheduler, answers, 'INVITE', 'sdp-1');
      const b = request(scheduler, answers, 'INVITE', 'sdp-2');
      const ending = (given: Streams): Streams =>
        Object.fromEntries(
          STREAMS.map((name) => [name, given[name] ?? hot<RequestEvent>('---|')]),
        ) as Streams;
      const reinvites = hot('-(ab)|', { a, b });
      // a is answered in the same frame it is sent; b is answered after every stream has ended.
      const replies = [cold('(r|)', { r: ok() }), cold('-----r|', { r: ok() })];
      let next = 0;
      const uas = leg(helpers, ending({ reinvite$: reinvites }));
      const uac = leg(helpers, ending({}), { reinvite: () => replies[next++] as Observable<SipResponse> });
      const legs = { uas, uac };
      expectObservable(hot('l|', { l: legs }).pipe(relayInDialog())).toBe('l-----|', { l: legs });
      expectSubscriptions(replies[1]?.subscriptions ?? []).toBe('-^----!');
    });
    expect(answers).toEqual(['1 200', '6 200']);
  });

  it('keeps relaying one leg when the other leg’s streams have already ended, and a send that throws errors the pair', () => {
    const answers: string[] = [];
    marbles((helpers, scheduler) => {
      const { hot, cold, expectObservable } = helpers;
      const info = request(scheduler, answers, 'INFO', 'Signal=1');
      const ended = Object.fromEntries(STREAMS.map((name) => [name, EMPTY])) as Streams;
      const uas = leg(helpers, ended, { request: () => cold('-r|', { r: ok() }) });
      const uac = leg(helpers, { info$: hot('---i', { i: info }) });
      const legs = { uas, uac };
      expectObservable(hot('l|', { l: legs }).pipe(relayInDialog()), '^------!').toBe('l', { l: legs });
      const failing = {
        uas: leg(helpers, { info$: hot('--i', { i: request(scheduler, [], 'INFO') }) }),
        uac: {
          ...leg(helpers, {}),
          send$: () => {
            throw new Error('cannot send');
          },
        },
      };
      expectObservable(hot('f', { f: failing }).pipe(relayInDialog())).toBe(
        'f-#',
        { f: failing },
        new Error('cannot send'),
      );
    });
    expect(answers).toEqual(['4 200']);
  });
});
