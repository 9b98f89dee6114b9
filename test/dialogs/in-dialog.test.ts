import { take, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type CdrEvent,
  type Dialog,
  type DialogEnd,
  type SipError,
  type SipRequest,
  type SipResponse,
  sdpDirection,
} from '../../src/index.js';
import { inDialogRequest, uasDialogRoute } from '../../src/sip/dialog-route.js';
import { createRequest, parseMessage } from '../../src/sip.js';
import { connected, flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

function responses(network: ReturnType<typeof virtualCall>, method: string): SipResponse[] {
  return packetsMatching(network, /^SIP\/2\.0/)
    .map((t) => parseMessage(t) as SipResponse)
    .filter((r) => r.cseq.method === method);
}

describe('in-dialog traffic (in-memory engine, virtual time)', () => {
  it('a BYE from the peer ends the dialog: destroy$ emits, children complete, the registry forgets it', () => {
    const ends: DialogEnd[] = [];
    const completed: string[] = [];
    let count = -1;
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        uas.ended$.subscribe((e) => ends.push(e));
        uas.info$.subscribe({ complete: () => completed.push('info$') });
        uas.state$.subscribe({ complete: () => completed.push('state$') });
        void uac.end();
        timer(10).subscribe(() => (count = call.bob.dialogCount));
      }),
    );
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ reason: 'normal-release', initiator: 'remote' });
    expect(ends[0]?.req?.method).toBe('BYE');
    expect(completed.sort()).toEqual(['info$', 'state$']);
    expect(count).toBe(0);
  });

  it('answers a request for a dialog that has ended with 481', () => {
    let status = 0;
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        void uas.end();
        // alice sends an INFO in the dead dialog by hand (her dialog would refuse to).
        timer(10).subscribe(() => {
          const info = inDialogRequest(
            {
              ...uasDialogRoute(
                createRequest({ method: 'INVITE', uri: 'sip:x', from: '<sip:a@10.0.0.1>' }),
                'x',
              ),
              callId: uac.sip.callId,
              localTag: uac.sip.localTag,
              remoteTag: uac.sip.remoteTag,
              remoteTarget: 'sip:10.0.0.2:5060',
              routeSet: [],
            },
            'INFO',
            99,
          );
          call.alice.engine.send(info).subscribe((e) => {
            if (e.kind === 'response') status = e.response.status;
          });
        });
      }),
    );
    expect(status).toBe(481);
  });

  it('INFO, NOTIFY and MESSAGE get 200 when nobody listens; a subscriber answers them itself', () => {
    const heard: string[] = [];
    const network = virtualCall((call) =>
      connected(call, (uac, uas) => {
        uas.info$.subscribe(({ req, res }) => {
          heard.push(req.body);
          res.send(202);
        });
        void uac.send({ method: 'INFO', body: 'Signal=5', contentType: 'application/dtmf-relay' });
        void uac.send({ method: 'NOTIFY', headers: { Event: 'talk' } });
        void uac.send({ method: 'MESSAGE', body: 'hi', contentType: 'text/plain' });
      }),
    );
    expect(heard).toEqual(['Signal=5']);
    expect(responses(network, 'INFO').map((r) => r.status)).toEqual([202]);
    expect(responses(network, 'NOTIFY').map((r) => r.status)).toEqual([200]);
    expect(responses(network, 'MESSAGE').map((r) => r.status)).toEqual([200]);
  });

  it('requests$ takes several kinds in one stream, in order; kinds it does not list get the default answer', () => {
    const heard: string[] = [];
    const completed: string[] = [];
    const network = virtualCall((call) =>
      connected(call, (uac, uas) => {
        uas.requests$('info', 'message').subscribe({
          next: ({ req, res }) => {
            heard.push(`${req.method} ${req.body}`);
            res.send(req.method === 'INFO' ? 202 : 488);
          },
          complete: () => completed.push('requests$'),
        });
        void uac.send({ method: 'INFO', body: 'Signal=5', contentType: 'application/dtmf-relay' });
        void uac.send({ method: 'NOTIFY', headers: { Event: 'talk' } });
        void uac.send({ method: 'MESSAGE', body: 'hi', contentType: 'text/plain' });
        timer(10).subscribe(() => void uac.end());
      }),
    );
    expect(heard).toEqual(['INFO Signal=5', 'MESSAGE hi']);
    expect(responses(network, 'INFO').map((r) => r.status)).toEqual([202]);
    expect(responses(network, 'NOTIFY').map((r) => r.status)).toEqual([200]);
    expect(responses(network, 'MESSAGE').map((r) => r.status)).toEqual([488]);
    expect(completed).toEqual(['requests$']);
  });

  it('requests$ takes a kind named twice once, and refuses to be asked for no kind', () => {
    const heard: string[] = [];
    let refused = '';
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        uas.requests$('info', 'info').subscribe(({ req, res }) => {
          heard.push(req.body);
          res.send(200);
        });
        try {
          uas.requests$();
        } catch (err) {
          refused = (err as Error).message;
        }
        void uac.send({ method: 'INFO', body: 'Signal=1', contentType: 'application/dtmf-relay' });
      }),
    );
    expect(heard).toEqual(['Signal=1']);
    expect(refused).toMatch(/at least one kind/);
  });

  it('once its subscriber has unsubscribed, a kind of request gets the default answer again', () => {
    const network = virtualCall((call) =>
      connected(call, (uac, uas) => {
        uas.info$.pipe(take(1)).subscribe(({ res }) => res.send(202));
        void uac.send({ method: 'INFO', body: 'Signal=1', contentType: 'application/dtmf-relay' });
        timer(10).subscribe(() => {
          void uac.send({ method: 'INFO', body: 'Signal=2', contentType: 'application/dtmf-relay' });
        });
      }),
    );
    expect(responses(network, 'INFO').map((r) => r.status)).toEqual([202, 200]);
  });

  it('ended$ gives the end to a subscriber that comes after it, as to one that came before', () => {
    const heard: string[] = [];
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        const ended$ = uas.ended$;
        ended$.subscribe((e) => heard.push(`before ${e.reason}`));
        void uac.end();
        timer(10).subscribe(() => ended$.subscribe((e) => heard.push(`after ${e.initiator}`)));
      }),
    );
    expect(heard).toEqual(['before normal-release', 'after remote']);
  });

  it('a re-INVITE nobody handles is answered 200 with the local SDP and ACKed', () => {
    const offer = SDP_A.replace('4000', '4002').replace('alice 1 1', 'alice 1 2');
    let uacDialog: Dialog | undefined;
    let uasDialog: Dialog | undefined;
    const network = virtualCall((call) =>
      connected(call, (uac, uas) => {
        uacDialog = uac;
        uasDialog = uas;
        uac.sendReinvite$(offer).subscribe();
      }),
    );
    const ok = responses(network, 'INVITE').filter((r) => r.status === 200);
    expect(ok.at(-1)?.body).toBe(SDP_B);
    expect(packetsMatching(network, /^ACK/).length).toBe(2);
    expect(uacDialog?.remote.sdp).toBe(SDP_B);
    expect(uasDialog?.remote.sdp).toBe(offer);
  });

  it('modify$ subscribers answer re-INVITEs; the dialog records the new SDPs', () => {
    const offer = SDP_A.replace('4000', '4002').replace('alice 1 1', 'alice 1 2');
    const answer = SDP_B.replace('5000', '5002');
    let uasDialog: Dialog | undefined;
    let uacDialog: Dialog | undefined;
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        uasDialog = uas;
        uacDialog = uac;
        uas.reinvite$.subscribe(({ req, res }) => {
          expect(req.body).toBe(offer);
          res.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: answer });
        });
        void uac.sendReinvite(offer);
      }),
    );
    expect(uasDialog?.remote.sdp).toBe(offer);
    expect(uasDialog?.local.sdp).toBe(answer);
    expect(uacDialog?.remote.sdp).toBe(answer);
    expect(uacDialog?.local.sdp).toBe(offer);
  });

  it('hold and unhold by rxsip: a=inactive then a=sendrecv; both sides flip onHold', () => {
    const notices: string[] = [];
    const network = virtualCall((call) =>
      connected(call, (uac, uas) => {
        uas.hold$.subscribe(() => notices.push(`peer held ${uas.onHold}`));
        uas.unhold$.subscribe(() => notices.push(`peer unheld ${uas.onHold}`));
        uac.sendReinvite$('hold').subscribe({ complete: () => notices.push(`holding ${uac.onHold}`) });
        uac.sendReinvite$('unhold').subscribe({ complete: () => notices.push(`holding ${uac.onHold}`) });
      }),
    );
    expect(notices).toEqual(['peer held true', 'holding true', 'peer unheld false', 'holding false']);
    const invites = packetsMatching(network, /^INVITE/).map((t) => parseMessage(t) as SipRequest);
    expect(invites.map((i) => sdpDirection(i.body))).toEqual(['sendrecv', 'inactive', 'sendrecv']);
  });

  it('hold then unhold over two re-INVITEs (sendonly then sendrecv)', () => {
    const notices: string[] = [];
    const network = virtualCall((call) =>
      connected(call, (uac, uas) => {
        uas.hold$.subscribe(() => notices.push(`hold onHold=${uas.onHold}`));
        uas.unhold$.subscribe(() => notices.push(`unhold onHold=${uas.onHold}`));
        uac
          .sendReinvite$(SDP_A.replace('a=sendrecv', 'a=sendonly').replace('alice 1 1', 'alice 1 2'))
          .subscribe();
        uac.sendReinvite$(SDP_A.replace('alice 1 1', 'alice 1 3')).subscribe();
      }),
    );
    expect(notices).toEqual(['hold onHold=true', 'unhold onHold=false']);
    const invites = packetsMatching(network, /^INVITE/).map((t) => parseMessage(t) as SipRequest);
    expect(invites.map((i) => sdpDirection(i.body))).toEqual(['sendrecv', 'sendonly', 'sendrecv']);
    // The two re-INVITEs went one after the other (the second after the first's 200).
    expect(
      flow(network)
        .filter((l) => / (INVITE|200 OK|ACK)$/.test(l))
        .map((l) => l.replace(/^\d+ /, '')),
    ).toEqual([
      'A->B INVITE',
      'B->A 200 OK',
      'A->B ACK',
      'A->B INVITE',
      'B->A 200 OK',
      'A->B ACK',
      'A->B INVITE',
      'B->A 200 OK',
      'A->B ACK',
    ]);
  });

  it('a failed re-INVITE rejects with SipError and does not block the next', () => {
    const outcomes: string[] = [];
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        let first = true;
        uas.reinvite$.subscribe(({ res }) => {
          if (first) {
            first = false;
            res.send(488);
          } else res.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: SDP_B });
        });
        uac
          .sendReinvite$(SDP_A.replace('alice 1 1', 'alice 1 2'))
          .subscribe({ error: (e: SipError) => outcomes.push(`error ${e.status}`) });
        uac
          .sendReinvite$(SDP_A.replace('alice 1 1', 'alice 1 3'))
          .subscribe((r) => outcomes.push(`response ${r.status}`));
      }),
    );
    expect(outcomes).toEqual(['error 488', 'response 200']);
  });

  it('answers a request with an out-of-order CSeq with 500 (RFC 3261 §12.2.2)', () => {
    let status = 0;
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        const route = {
          callId: uac.sip.callId,
          localTag: uac.sip.localTag,
          remoteTag: uac.sip.remoteTag,
          local: '<sip:alice@10.0.0.1>',
          remote: '<sip:bob@10.0.0.2>',
          remoteTarget: uac.remote.uri,
          routeSet: [],
        };
        // The INVITE had CSeq 1: an INFO with CSeq 1 is out of order.
        call.alice.engine.send(inDialogRequest(route, 'INFO', 1)).subscribe((e) => {
          if (e.kind === 'response') status = e.response.status;
        });
        void uas;
      }),
    );
    expect(status).toBe(500);
  });

  it('a dialog ended without a message has a CDR stop with the message that made it: identity kept, body not', () => {
    const stops: Extract<CdrEvent, { type: 'stop' }>[] = [];
    let made = { callId: '', fromTag: '', cseq: 0 };
    virtualCall((call) => {
      call.bob.cdr$.subscribe((e) => {
        if (e.type === 'stop') stops.push(e);
      });
      connected(call, (_uac, uas) => {
        made = { callId: uas.sip.callId, fromTag: uas.sip.remoteTag, cseq: 1 };
        // A shutdown ends the dialog with no BYE of the peer's to name.
        uas.terminate('system-initiated-termination', 'local');
      });
    });
    expect(stops).toHaveLength(1);
    const msg = stops[0]?.msg as SipResponse;
    expect(stops[0]?.reason).toBe('system-initiated-termination');
    // bob's dialog was made by his 200 to the INVITE.
    expect(msg.status).toBe(200);
    expect(msg.callId).toBe(made.callId);
    expect(msg.fromTag).toBe(made.fromTag);
    expect(msg.cseq).toEqual({ seq: 1, method: 'INVITE' });
    expect(msg.get('contact')).toBeDefined();
    expect(msg.body).toBe('');
    expect(msg.get('content-type')).toBeUndefined();
  });

  it('a 481 to an in-dialog request ends the dialog (RFC 3261 §12.2.1.2)', () => {
    const ends: DialogEnd[] = [];
    virtualCall((call) =>
      connected(call, (uac, uas) => {
        uac.ended$.subscribe((e) => ends.push(e));
        // bob forgets the dialog without a BYE.
        uas.terminate('system-initiated-termination', 'local');
        void uac.send({ method: 'INFO' });
      }),
    );
    expect(ends).toHaveLength(1);
    expect(ends[0]?.reason).toBe('system-error-initiated-termination');
  });
});
