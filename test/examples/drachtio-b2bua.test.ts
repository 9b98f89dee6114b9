// The seed document's createB2BUA samples (examples/drachtio/b2bua*.cjs), run unchanged but for
// their require and connect lines, between a SIPp caller (A, 127.0.0.1:5070) and SIPp callees at
// the seed's addresses (B), in a network namespace; the rtpengine sample with rtpengine there.
import { describe, expect, it } from 'vitest';
import { callIdOf, expectCallerHangsUp, expectClean } from '../support/sipp-parties.js';
import { find, ladder, type Wire } from '../support/sipp-trace.js';
import { lines, messages, SLOW, seedWorld } from './drachtio-seed.js';

const { listeningApp, callee, caller, rtpengine } = seedWorld();

/** The connection address and audio port of an SDP. */
function media(sdp: string): { address: string | undefined; port: number } {
  return {
    address: /^c=IN IP4 (\S+)/m.exec(sdp)?.[1],
    port: Number(/^m=audio (\d+)/m.exec(sdp)?.[1]),
  };
}

/** An SDP rewritten by rtpengine: its interface, 127.0.0.1, and a port of its range. */
function expectRtpengineSdp(sdp: string): void {
  const { address, port } = media(sdp);
  expect(address).toBe('127.0.0.1');
  expect(port).toBeGreaterThanOrEqual(30000);
  expect(port).toBeLessThanOrEqual(30100);
}

/** B's INVITE: to the seed's URI, carrying what the sample offers B. */
function inviteTo(wire: Wire[], uri: string): Wire {
  const invite = find(wire, 'rxsip', 'INVITE');
  expect(invite.uri).toBe(uri);
  return invite;
}

describe('examples/drachtio: createB2BUA (seed samples) between SIPp parties', () => {
  it(
    'b2bua: A calls, B at 10.10.100.1 answers, A hangs up and B gets the BYE',
    async () => {
      const app = await listeningApp('b2bua');
      const b = await callee('b2bua-callee-answers', '10.10.100.1');
      const a = await caller('b2bua-caller-hangs-up');
      const resultB = await b.done;
      expectClean(a);
      expectClean(resultB);
      const [wireA, wireB] = [messages(a), messages(resultB)];
      expectCallerHangsUp(wireA, wireB);
      // localSdpB: req.body, so B is offered A's SDP; A gets B's answer (checked by SIPp too).
      expect(inviteTo(wireB, 'sip:1234@10.10.100.1').body).toBe(find(wireA, 'sipp', 'INVITE').body);
      expect(find(wireA, 'rxsip', '200 INVITE').body).toBe(find(wireB, 'sipp', '200 INVITE').body);
      // Two dialogs, not one: B's leg has its own Call-ID.
      expect(callIdOf(find(wireB, 'rxsip', 'INVITE'))).not.toBe(callIdOf(find(wireA, 'sipp', 'INVITE')));
      expect(lines(app.stdout())).toEqual(['call connected']);
      expect(app.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'b2bua-fallback: 10.10.100.1 answers 404 (A never sees it), 10.10.100.2 answers',
    async () => {
      const app = await listeningApp('b2bua-fallback');
      const primary = await callee('b2bua-callee-404', '10.10.100.1');
      const backup = await callee('b2bua-callee-answers', '10.10.100.2');
      const a = await caller('b2bua-caller-hangs-up');
      const [resultPrimary, resultBackup] = await Promise.all([primary.done, backup.done]);
      for (const result of [a, resultPrimary, resultBackup]) expectClean(result);
      const [wireA, wirePrimary, wireBackup] = [a, resultPrimary, resultBackup].map(messages);
      expect(ladder(wirePrimary)).toEqual(['rxsip INVITE', 'sipp 404 INVITE', 'rxsip ACK']);
      inviteTo(wirePrimary, 'sip:1234@10.10.100.1');
      inviteTo(wireBackup, 'sip:1234@10.10.100.2');
      // passFailure: false: the 404 stays between the app and the primary; A sees the backup's call.
      expectCallerHangsUp(wireA, wireBackup);
      expect(wireA.some((m) => m.status === 404)).toBe(false);
      expect(lines(app.stdout())).toEqual([
        // drachtio-srf's SipError message, as its own sip_error.js words it.
        'failed connecting to primary, will try backup: SipError: Sip non-success response: 404',
        'call connected to backup destination',
      ]);
      expect(app.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'b2bua-rtpengine: both legs get rtpengine’s SDP, the call completes, and the sample deletes the call in rtpengine',
    async () => {
      const media$ = await rtpengine();
      const app = await listeningApp('b2bua-rtpengine');
      const b = await callee('b2bua-callee-answers', '10.10.100.1');
      const a = await caller('b2bua-caller-hangs-up');
      const resultB = await b.done;
      expectClean(a);
      expectClean(resultB);
      const [wireA, wireB] = [messages(a), messages(resultB)];
      expectCallerHangsUp(wireA, wireB);
      // B is offered rtpengine's SDP, not A's; A is answered with rtpengine's, not B's.
      const [offerA, offerB] = [
        find(wireA, 'sipp', 'INVITE').body,
        inviteTo(wireB, 'sip:1234@10.10.100.1').body,
      ];
      const [answerB, answerA] = [
        find(wireB, 'sipp', '200 INVITE').body,
        find(wireA, 'rxsip', '200 INVITE').body,
      ];
      expectRtpengineSdp(offerB);
      expectRtpengineSdp(answerA);
      expect(media(offerB).port).not.toBe(media(offerA).port);
      expect(media(answerA).port).not.toBe(media(answerB).port);
      expect(media(answerA).port).not.toBe(media(offerB).port);
      expect(offerB).toContain('s=sipp-caller');
      expect(answerA).toContain('s=sipp-callee');
      expect(lines(app.stdout())).toEqual(['call connected with media proxy']);
      expect(app.stderr()).toBe('');
      // rtpengine's log: offer, answer, then the sample's delete, all for A's Call-ID. The seed's
      // endCall calls delete for each leg as the call connects (not on destroy): twice.
      const callId = callIdOf(find(wireA, 'sipp', 'INVITE'));
      await media$.line(/Replying to 'delete'/, 10_000, 'stderr');
      const commands = [
        ...media$.stderr().matchAll(/\[([^\]]+)\]: \[control\] Received command '(\w+)'/g),
      ].map((m) => `${m[1]} ${m[2]}`);
      expect(commands).toEqual([
        `${callId} offer`,
        `${callId} answer`,
        `${callId} delete`,
        `${callId} delete`,
      ]);
    },
    SLOW,
  );
});
