// The UAC core's INVITE (src/dialogs/invite-client.ts) as a caller drives it directly.
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { byeUnwanted } from '../../src/dialogs/accepted-invite.js';
import { inviteClient } from '../../src/dialogs/invite-client.js';
import { agentOf } from '../../src/dialogs/user-agent.js';
import { ackFor2xx } from '../../src/sip/ack-for-2xx.js';
import { createRequest } from '../../src/sip/build.js';
import {
  answeringTwice,
  connected,
  ladder,
  RETRANSMITTED_AND_FORKED,
  SDP_A,
  threeParties,
  toTagIn,
  virtualCall,
} from '../support/virtual-call.js';

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
          onUnwanted2xx: (response, sent) => byeUnwanted(ua.engine, response, sent),
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

  // RFC 3261 §13.2.2.4 with RFC 6026 §7.2: after the first 2xx the caller's call has moved on
  // (the events completed); the 2xx that follow until Timer M are the UAC core's alone.
  it('after the first 2xx: ACKs its retransmission again, ACKs and BYEs another fork, and stops at Timer M', () => {
    const events: string[] = [];
    const network = virtualCall((call) => {
      // carol answers with tag one twice (her first ACK "lost"), then a fork answers with tag
      // two, and one more copy of one comes after Timer M.
      answeringTwice(call, RETRANSMITTED_AND_FORKED);
      const { alice, scheduler } = call;
      // The caller's own call: through Srf, as an application makes it.
      alice.call$('sip:carol@10.0.0.3', { localSdp: SDP_A }).subscribe({
        next: (progress) => events.push(`${scheduler.now()} ${progress.type}`),
        complete: () => events.push(`${scheduler.now()} complete`),
      });
    });
    const toCarol = ladder(network)
      .filter((line) => line.includes('->C'))
      .map((line) => {
        const [time, , method] = line.split(' ');
        return `${time} ${method}`;
      });
    const packets = network.packets.filter((p) => p.to === '10.0.0.3:5060').map((p) => p.data.toString());
    expect(toCarol).toEqual(['0 INVITE', '2 ACK', '502 ACK', '1002 ACK', '1002 BYE']);
    expect(packets.slice(1).map((p) => `${p.split(' ')[0]} ${toTagIn(p)}`)).toEqual([
      'ACK one',
      'ACK one',
      'ACK two',
      'BYE two',
    ]);
    // The caller has the first answer's dialog only.
    expect(events).toEqual(['0 request', '2 dialog', '2 complete']);
  });

  // RFC 3261 §13.2.2.4 with a late offer (RFC 3264 §4): the ACK carries the answer, so it waits
  // for the application; a retransmitted 2xx meanwhile gets nothing, and the ACK once it is sent.
  it('late offer with noAck: a 2xx retransmitted before ack(answer) gets no ACK, one after it the same ACK', () => {
    const network = virtualCall((call) => {
      answeringTwice(call, [
        [0, 'one'],
        [500, 'one'],
        [1500, 'one'],
      ]);
      const { alice, scheduler } = call;
      alice.call$('sip:carol@10.0.0.3', { noAck: true }).subscribe((progress) => {
        if (progress.type === 'offer') scheduler.schedule(() => progress.ack(SDP_A), 1000);
      });
    });
    const acks = network.packets
      .filter((p) => p.to === '10.0.0.3:5060' && p.data.toString().startsWith('ACK'))
      .map((p) => `${p.time} ${p.data.toString().includes('m=audio 4000') ? 'with answer' : 'empty'}`);
    expect(acks).toEqual(['1002 with answer', '1502 with answer']);
  });

  // RFC 3261 §13.2.2.4, §15: a 2xx that beats the caller's CANCEL is ACKed and ended with one
  // BYE; its retransmission gets the ACK again, not a second BYE.
  it('a 2xx after the caller gave up: ACK and one BYE, and only the ACK again for its retransmission', () => {
    const network = virtualCall((call) => {
      // No provisional from carol, so the CANCEL waits for one and never leaves (RFC 3261 §9.1).
      answeringTwice(call, [
        [300, 'one'],
        [800, 'one'],
      ]);
      const { alice, scheduler } = call;
      const calling = alice.call$('sip:carol@10.0.0.3', { localSdp: SDP_A }).subscribe();
      scheduler.schedule(() => calling.unsubscribe(), 100);
    });
    const toCarol = network.packets
      .filter((p) => p.to === '10.0.0.3:5060')
      .map((p) => `${p.time} ${p.data.toString().split(' ')[0]} ${toTagIn(p.data.toString()) ?? '-'}`);
    expect(toCarol).toEqual(['0 INVITE -', '302 ACK one', '302 BYE one', '802 ACK one']);
  });

  // RFC 3261 §14.1 with §13.2.2.4: the 2xx of a re-INVITE whose ACK was lost comes again and is
  // ACKed again; it is in a dialog already, so nothing is ended.
  it('a re-INVITE whose ACK is lost: the retransmitted 2xx is ACKed again, the call goes on', () => {
    let reinviteAcks = 0;
    const network = virtualCall(
      (call) => {
        connected(call, (uac) => {
          uac.sendReinvite$('hold').subscribe();
        });
      },
      {
        // The first ACK of the re-INVITE (CSeq 2) is lost.
        drop: (p) => {
          const text = p.data.toString();
          return text.startsWith('ACK') && /\r\nCSeq: 2 ACK/i.test(text) && ++reinviteAcks === 1;
        },
      },
    );
    const fromAlice = network.packets
      .filter((p) => p.from === '10.0.0.1:5060' && !p.dropped)
      .map((p) => p.data.toString())
      .map((t) => `${t.split(' ')[0]} ${/\r\nCSeq: (\d+)/i.exec(t)?.[1]}`);
    expect(fromAlice).toEqual(['INVITE 1', 'ACK 1', 'INVITE 2', 'ACK 2']);
    expect(reinviteAcks).toBe(2);
  });
});
