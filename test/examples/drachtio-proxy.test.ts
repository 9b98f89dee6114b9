// The seed document's proxyRequest samples and its OPTIONS request (examples/drachtio/proxy*.cjs,
// request-options.cjs), run unchanged but for their require and connect lines, with SIPp as the
// caller (127.0.0.1:5070) and as sip.example.com / sip.example1.com (10.10.100.1) and
// sip.example2.com (10.10.100.2), names the namespace's hosts file gives.
import { describe, expect, it } from 'vitest';
import { callIdOf, expectCallerHangsUp, expectClean, sentBy, values } from '../support/sipp-parties.js';
import { branchOf, find, header, ladder } from '../support/sipp-trace.js';
import { lines, messages, SLOW, seedWorld } from './drachtio-seed.js';

const { app, listeningApp, callee, caller } = seedWorld();

describe('examples/drachtio: proxyRequest and request (seed samples) with SIPp', () => {
  it(
    'proxy: the INVITE reaches sip.example.com through the app, the 200 comes back; no Record-Route, so the ACK and BYE go straight to the callee',
    async () => {
      const run = await listeningApp('proxy');
      const b = await callee('seed-proxy-callee', '10.10.100.1');
      const a = await caller('seed-proxy-caller', '1234');
      const resultB = await b.done;
      expectClean(a);
      expectClean(resultB);
      const [wireA, wireB] = [messages(a), messages(resultB)];
      expectCallerHangsUp(wireA, wireB);
      const [inviteA, inviteB] = [find(wireA, 'sipp', 'INVITE'), find(wireB, 'rxsip', 'INVITE')];
      // The app's Via on top of the caller's; the destination's host in the Request-URI.
      expect(inviteB.uri).toBe('sip:1234@sip.example.com');
      expect(values(inviteB, 'via').map(sentBy)).toEqual(['127.0.0.1:5060', '127.0.0.1:5070']);
      expect(header(inviteB, 'record-route')).toBeUndefined();
      expect(header(inviteB, 'max-forwards')).toBe('69');
      expect(callIdOf(inviteB)).toBe(callIdOf(inviteA));
      expect(inviteB.body).toBe(inviteA.body);
      // The 200 came back through the app, its Via taken off.
      const okA = find(wireA, 'rxsip', '200 INVITE');
      expect(values(okA, 'via').map(sentBy)).toEqual(['127.0.0.1:5070']);
      expect(okA.body).toBe(find(wireB, 'sipp', '200 INVITE').body);
      // RFC 3261 §12.2.1.1: with no route set, the caller's ACK and BYE go to the callee's
      // Contact themselves: one Via, the caller's.
      for (const method of ['ACK', 'BYE'])
        expect(values(find(wireB, 'rxsip', method), 'via').map(sentBy)).toEqual(['127.0.0.1:5070']);
      expect(run.stdout()).toBe('');
      expect(run.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'proxy-options: serial fork, sip.example1.com busy then sip.example2.com answers; record-routed; prints the results',
    async () => {
      const run = await listeningApp('proxy-options');
      const busy = await callee('proxy-callee-busy', '10.10.100.1');
      const b = await callee('proxy-callee-answers', '10.10.100.2');
      const a = await caller('proxy-caller-hangs-up', '1234');
      const [resultBusy, resultB] = await Promise.all([busy.done, b.done]);
      for (const result of [a, resultBusy, resultB]) expectClean(result);
      const [wireA, wireBusy, wireB] = [a, resultBusy, resultB].map(messages);
      expect(ladder(wireBusy)).toEqual(['rxsip INVITE', 'sipp 486 INVITE', 'rxsip ACK']);
      expectCallerHangsUp(wireA, wireB);
      expect(find(wireBusy, 'rxsip', 'INVITE').uri).toBe('sip:1234@sip.example1.com');
      expect(find(wireB, 'rxsip', 'INVITE').uri).toBe('sip:1234@sip.example2.com');
      // The 486 is ACKed hop by hop and never reaches the caller.
      expect(branchOf(find(wireBusy, 'rxsip', 'ACK'))).toBe(branchOf(find(wireBusy, 'rxsip', 'INVITE')));
      expect(wireA.some((m) => m.status === 486)).toBe(false);
      // recordRoute: the 200 names the app; the caller's ACK and BYE are routed through it and
      // reach the callee with the app's Via on top.
      expect(values(find(wireA, 'rxsip', '200 INVITE'), 'record-route')).toEqual(['<sip:127.0.0.1:5060;lr>']);
      for (const method of ['ACK', 'BYE']) {
        expect(values(find(wireA, 'sipp', method), 'route')).toEqual(['<sip:127.0.0.1:5060;lr>']);
        expect(values(find(wireB, 'rxsip', method), 'via').map(sentBy)).toEqual([
          '127.0.0.1:5060',
          '127.0.0.1:5070',
        ]);
      }
      // The sample prints the outcome: {finalStatus: 200, finalResponse, responses: [...]}.
      const printed = await run.line(/finalStatus/);
      const results = JSON.parse(printed) as {
        finalStatus: number;
        finalResponse: { status: number };
        responses: Array<{ address: string; port: number; msgs: Array<{ status: number }> }>;
      };
      expect(results.finalStatus).toBe(200);
      expect(results.finalResponse.status).toBe(200);
      expect(results.responses.map((r) => [r.address, r.port, r.msgs.map((m) => m.status)])).toEqual([
        ['10.10.100.1', 5060, [486]],
        ['10.10.100.2', 5060, [180, 200]],
      ]);
      expect(lines(run.stdout())).toHaveLength(1);
      expect(run.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'request-options: sip.example.com answers the OPTIONS 200; the sample prints it',
    async () => {
      const b = await callee('seed-options-answered', '10.10.100.1');
      const run = app('request-options');
      const result = await b.done;
      expectClean(result);
      const wire = messages(result);
      expect(ladder(wire)).toEqual(['rxsip OPTIONS', 'sipp 200 OPTIONS']);
      const options = find(wire, 'rxsip', 'OPTIONS');
      expect(options.uri).toBe('sip:sip.example.com');
      expect(header(options, 'user-agent')).toBe('drachtio');
      await run.line(/received/);
      expect(lines(run.stdout())).toEqual(['received 200 response']);
      expect(run.stderr()).toBe('');
    },
    SLOW,
  );
});
