// The seed document's createUac samples (examples/drachtio/uac-*.cjs), run unchanged but for
// their require and connect lines, calling a SIPp callee at sip:1234@10.10.100.1 in a network
// namespace.
import { describe, expect, it } from 'vitest';
import { callIdOf, expectClean } from '../support/sipp-parties.js';
import { branchOf, cseqOf, find, header, ladder } from '../support/sipp-trace.js';
import { EXAMPLE_SDP, lines, messages, SLOW, seedWorld } from './drachtio-seed.js';

const { app, callee } = seedWorld();

/** The ladder the callee saw: the app calls, SIPp rings, answers, then hangs up. */
const CALLEE_HANGS_UP = [
  'rxsip INVITE',
  'sipp 180 INVITE',
  'sipp 200 INVITE',
  'rxsip ACK',
  'sipp BYE',
  'rxsip 200 BYE',
];

describe('examples/drachtio: createUac (seed samples) calling SIPp', () => {
  it(
    'uac-promise: calls 10.10.100.1 with its SDP, prints the Call-ID, then that the called party hung up',
    async () => {
      const { done } = await callee('uac-ringing-then-answered-callee-hangs-up', '10.10.100.1');
      const run = app('uac-promise');
      const result = await done;
      expectClean(result);
      const wire = messages(result);
      expect(ladder(wire)).toEqual(CALLEE_HANGS_UP);
      const invite = find(wire, 'rxsip', 'INVITE');
      expect(invite.uri).toBe('sip:1234@10.10.100.1');
      expect(invite.body).toBe(EXAMPLE_SDP);
      await run.line(/called party hung up/);
      expect(lines(run.stdout())).toEqual([
        `dialog established, call-id is ${callIdOf(invite)}`,
        'called party hung up',
      ]);
      expect(run.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'uac-callback: the callback form; the called party hangs up',
    async () => {
      const { done } = await callee('uac-ringing-then-answered-callee-hangs-up', '10.10.100.1');
      const run = app('uac-callback');
      const result = await done;
      expectClean(result);
      const wire = messages(result);
      expect(ladder(wire)).toEqual(CALLEE_HANGS_UP);
      expect(find(wire, 'rxsip', 'INVITE').uri).toBe('sip:1234@10.10.100.1');
      await run.line(/called party hung up/);
      expect(lines(run.stdout())).toEqual(['called party hung up']);
      expect(run.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'uac-cancel: the callee rings and never answers; the CANCEL at 0.5 s gets 487, which the sample asserts',
    async () => {
      const { done } = await callee('uac-cancelled-after-ringing', '10.10.100.1');
      const run = app('uac-cancel');
      const result = await done;
      expectClean(result);
      const wire = messages(result);
      expect(ladder(wire)).toEqual([
        'rxsip INVITE',
        'sipp 180 INVITE',
        'rxsip CANCEL',
        'sipp 200 CANCEL',
        'sipp 487 INVITE',
        'rxsip ACK',
      ]);
      // RFC 3261 §9.1: the CANCEL matches the INVITE (Request-URI, Call-ID, CSeq number, branch).
      const [invite, cancel] = [find(wire, 'rxsip', 'INVITE'), find(wire, 'rxsip', 'CANCEL')];
      expect(cancel.uri).toBe(invite.uri);
      expect(callIdOf(cancel)).toBe(callIdOf(invite));
      expect(cseqOf(cancel)).toEqual({ seq: cseqOf(invite).seq, method: 'CANCEL' });
      expect(branchOf(cancel)).toBe(branchOf(invite));
      // RFC 3261 §17.1.1.3: the 487's ACK is hop by hop, on the INVITE's branch.
      expect(branchOf(find(wire, 'rxsip', 'ACK'))).toBe(branchOf(invite));
      expect(header(find(wire, 'sipp', '487 INVITE'), 'cseq')).toBe(`${cseqOf(invite).seq} INVITE`);
      // The sample's catch: its assert held (no AssertionError), and it printed the status.
      await run.line(/INVITE rejected/);
      expect(lines(run.stdout())).toEqual(['INVITE rejected with status: 487']);
      expect(run.stderr()).toBe('');
    },
    SLOW,
  );
});
