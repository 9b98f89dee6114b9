// The seed document's createUas samples (examples/drachtio/uas-*.cjs), run unchanged but for
// their require and connect lines, answering a SIPp caller in a network namespace.
import { describe, expect, it } from 'vitest';
import { expectClean } from '../support/sipp-parties.js';
import { find, header, ladder, tagOf, type Wire } from '../support/sipp-trace.js';
import { EXAMPLE_SDP, lines, messages, SLOW, seedWorld } from './drachtio-seed.js';

const { listeningApp, caller } = seedWorld();

/** The caller's Contact URI, which drachtio-srf gives as `uas.remote.uri`. */
const CALLER_CONTACT = 'sip:sipp@127.0.0.1:5070;transport=UDP';

/** The ladder of a call the app answers and the caller hangs up, with 100 Trying sent at once. */
function expectAnsweredThenHungUp(wire: Wire[]): void {
  expect(ladder(wire)).toEqual(['sipp INVITE', 'rxsip 200 INVITE', 'sipp ACK', 'sipp BYE', 'rxsip 200 BYE']);
  // As drachtio-server does, 100 Trying goes out first, ahead of the answer.
  expect(wire[1]?.status).toBe(100);
  const ok = find(wire, 'rxsip', '200 INVITE');
  expect(header(ok, 'content-type')).toBe('application/sdp');
  expect(ok.body).toBe(EXAMPLE_SDP);
}

describe('examples/drachtio: createUas (seed samples) answering SIPp', () => {
  it(
    'uas-promise: answers with its SDP, prints the remote URI, then that the caller hung up',
    async () => {
      const app = await listeningApp('uas-promise');
      const result = await caller('uas-caller-hangs-up');
      expectClean(result);
      expectAnsweredThenHungUp(messages(result));
      await app.line(/caller hung up/);
      expect(lines(app.stdout())).toEqual([
        `dialog established, remote uri is ${CALLER_CONTACT}`,
        'caller hung up',
      ]);
      expect(app.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'uas-callback: the callback form; prints the local tag, the To tag of its 200',
    async () => {
      const app = await listeningApp('uas-callback');
      const result = await caller('uas-caller-hangs-up');
      expectClean(result);
      const wire = messages(result);
      expectAnsweredThenHungUp(wire);
      await app.line(/caller hung up/);
      const toTag = tagOf(header(find(wire, 'rxsip', '200 INVITE'), 'to'));
      expect(toTag).toBeTruthy();
      expect(lines(app.stdout())).toEqual([`dialog established, local tag is ${toTag}`, 'caller hung up']);
      expect(app.stderr()).toBe('');
    },
    SLOW,
  );

  it(
    'uas-headers: the 200 carries the User-Agent and X-Linked-UUID the sample sets',
    async () => {
      const app = await listeningApp('uas-headers');
      const result = await caller('uas-caller-hangs-up');
      expectClean(result);
      const wire = messages(result);
      expectAnsweredThenHungUp(wire);
      const ok = find(wire, 'rxsip', '200 INVITE');
      expect(ok.headers.get('user-agent')).toEqual(['drachtio/iechyd-da']);
      expect(ok.headers.get('x-linked-uuid')).toEqual(['1e2587c']);
      await app.line(/dialog established/);
      expect(lines(app.stdout())).toEqual([`dialog established, remote uri is ${CALLER_CONTACT}`]);
      expect(app.stderr()).toBe('');
    },
    SLOW,
  );
});
