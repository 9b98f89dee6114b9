// The UAC core's INVITE (src/dialogs/invite-client.ts) as a caller drives it directly.
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { byeUnwanted, inviteClient } from '../../src/dialogs/invite-client.js';
import { agentOf } from '../../src/dialogs/user-agent.js';
import { ackFor2xx } from '../../src/sip/ack-for-2xx.js';
import { createRequest } from '../../src/sip/build.js';
import { ladder, SDP_A, threeParties } from '../support/virtual-call.js';

describe('inviteClient', () => {
  it('hears a cancel$ that emits as soon as it is subscribed: the INVITE is CANCELled once it rings', () => {
    const statuses: number[] = [];
    const network = threeParties(({ alice, bob, carol }) => {
      // carol rings and never answers on her own.
      carol.invite$.subscribe(({ res }) => res.send(180));
      bob.invite$.subscribe((call) => {
        const ua = agentOf(call.req);
        const invite = createRequest({
          method: 'INVITE',
          uri: 'sip:carol@10.0.0.3',
          from: '<sip:bob@10.0.0.2>',
          contentType: 'application/sdp',
          body: SDP_A,
        });
        invite.set('Contact', '<sip:bob@10.0.0.2>');
        // A source that replays (an A already cancelled, say) emits on subscription.
        inviteClient(ua, invite, {
          ackFor: (response, sent) => ackFor2xx(sent, response),
          onUnwanted2xx: (response, sent) => byeUnwanted(ua, response, sent),
          cancel$: of({}),
        }).subscribe((event) => {
          if (event.kind === 'response') statuses.push(event.response.status);
        });
      });
      alice.call$('sip:bob@10.0.0.2', { localSdp: SDP_A }).subscribe({ error: () => undefined });
    });
    const toCarol = ladder(network)
      .map((line) => line.slice(line.indexOf(' ') + 1))
      .filter((line) => line.includes('C'));
    expect(toCarol.slice(0, 3)).toEqual(['B->C INVITE', 'C->B 180 Ringing', 'B->C CANCEL']);
    expect(statuses).toEqual([180, 487]);
  });
});
