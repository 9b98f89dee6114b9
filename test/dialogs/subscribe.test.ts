import { filter, mergeMap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  asUas,
  type Dialog,
  type DialogEnd,
  type SipRequest,
  sendReferProgress$,
  sipfragStatus,
  uas$,
} from '../../src/index.js';
import { parseMessage } from '../../src/sip.js';
import { flow, packetsMatching, SDP_A, SDP_B, virtualCall } from '../support/virtual-call.js';

const PRESENCE = { Event: 'presence', Expires: 600, Accept: 'application/pidf+xml' };

describe('SUBSCRIBE dialogs (RFC 6665, virtual time)', () => {
  it('a subscription answered 202, NOTIFYs, and destroy() by the notifier: NOTIFY terminated ends both sides', () => {
    const heard: string[] = [];
    const ends: Record<string, DialogEnd> = {};
    const network = virtualCall(({ alice, bob }) => {
      bob.subscribe$.pipe(asUas()).subscribe((notifier) => {
        expect(notifier.dialogType).toBe('SUBSCRIBE');
        notifier.ended$.subscribe((e) => (ends.bob = e));
        void notifier.send({
          method: 'NOTIFY',
          headers: { Event: 'presence', 'Subscription-State': 'active;expires=600' },
          body: '<open/>',
          contentType: 'application/pidf+xml',
        });
        timer(1000).subscribe(() => void notifier.end());
      });
      alice.call$('sip:bob@10.0.0.2', { method: 'SUBSCRIBE', headers: PRESENCE }).subscribe((p) => {
        if (p.type !== 'dialog') return;
        p.dialog.notify$.subscribe(({ req, res }) => {
          heard.push(`${req.get('subscription-state')} ${req.body}`);
          res.send(200);
        });
        p.dialog.ended$.subscribe((e) => (ends.alice = e));
      });
    });
    expect(flow(network).map((l) => l.replace(/^\d+ /, ''))).toEqual([
      'A->B SUBSCRIBE',
      'B->A 202 Accepted',
      'B->A NOTIFY',
      'A->B 200 OK',
      'B->A NOTIFY',
      'A->B 200 OK',
    ]);
    const accepted = parseMessage(packetsMatching(network, /^SIP\/2\.0 202/)[0] ?? '');
    expect(accepted.get('expires')).toBe('600');
    expect(heard).toEqual(['active;expires=600 <open/>', 'terminated;reason=noresource ']);
    expect(ends.bob?.reason).toBe('subscription-terminated');
    expect(ends.alice?.reason).toBe('subscription-noresource');
  });

  it('ends an unrefreshed subscription at its expiry: NOTIFY terminated;reason=timeout', () => {
    const ends: Array<[string, number, string]> = [];
    virtualCall(({ scheduler, alice, bob }) => {
      bob.subscribe$
        .pipe(asUas())
        .subscribe((d) => d.ended$.subscribe((e) => ends.push(['bob', scheduler.now(), e.reason])));
      alice.call$('sip:bob@10.0.0.2', { method: 'SUBSCRIBE', headers: PRESENCE }).subscribe((p) => {
        if (p.type === 'dialog')
          p.dialog.ended$.subscribe((e) => ends.push(['alice', scheduler.now(), e.reason]));
      });
    });
    expect(ends).toEqual([
      ['bob', 600_001, 'subscription-expired'],
      ['alice', 600_002, 'subscription-timeout'],
    ]);
  });

  it('a refreshing SUBSCRIBE moves the expiry; Expires: 0 (destroy() by the subscriber) unsubscribes', () => {
    const ends: Array<[string, number]> = [];
    const network = virtualCall(({ scheduler, alice, bob }) => {
      bob.subscribe$
        .pipe(asUas())
        .subscribe((d) => d.ended$.subscribe(() => ends.push(['bob', scheduler.now()])));
      alice.call$('sip:bob@10.0.0.2', { method: 'SUBSCRIBE', headers: PRESENCE }).subscribe((p) => {
        if (p.type !== 'dialog') return;
        const dialog = p.dialog;
        dialog.ended$.subscribe(() => ends.push(['alice', scheduler.now()]));
        timer(500_000).subscribe(
          () => void dialog.send({ method: 'SUBSCRIBE', headers: { Event: 'presence', Expires: 600 } }),
        );
        timer(1_000_000).subscribe(() => void dialog.end());
      });
    });
    // Refreshed at 500 s: the expiry moved to 1100 s; the unsubscribe at 1000 s ends it first.
    expect(ends).toEqual([
      ['bob', 1_000_003],
      ['alice', 1_000_004],
    ]);
    const subscribes = packetsMatching(network, /^SUBSCRIBE/).map((t) => parseMessage(t) as SipRequest);
    expect(subscribes.map((s) => s.get('expires'))).toEqual(['600', '600', '0']);
  });

  it("after the subscriber's unsubscribe, a final NOTIFY that never comes ends the dialog 64*T1 later, as the subscriber's doing", () => {
    const ends: Array<[number, DialogEnd]> = [];
    virtualCall(
      ({ scheduler, alice, bob }) => {
        bob.subscribe$.pipe(asUas()).subscribe();
        alice.call$('sip:bob@10.0.0.2', { method: 'SUBSCRIBE', headers: PRESENCE }).subscribe((p) => {
          if (p.type !== 'dialog') return;
          p.dialog.ended$.subscribe((end) => ends.push([scheduler.now(), end]));
          timer(1000).subscribe(() => void p.dialog.end());
        });
      },
      // Bob's final NOTIFY (and its retransmissions) are lost.
      { drop: (packet) => packet.data.toString().startsWith('NOTIFY') },
    );
    expect(ends).toEqual([
      [1002 + 32_000, expect.objectContaining({ reason: 'subscription-expired', initiator: 'local' })],
    ]);
  });

  it('a NOTIFY that overtakes the 202 makes the dialog (RFC 6665 §4.1.2.4)', () => {
    let dialog: Dialog | undefined;
    let accepted = 0;
    const network = virtualCall(
      ({ alice, bob }) => {
        bob.subscribe$.pipe(asUas()).subscribe((notifier) => {
          void notifier.send({
            method: 'NOTIFY',
            headers: { Event: 'presence', 'Subscription-State': 'active;expires=600' },
          });
        });
        alice.call$('sip:bob@10.0.0.2', { method: 'SUBSCRIBE', headers: PRESENCE }).subscribe((p) => {
          if (p.type === 'dialog') dialog = p.dialog;
        });
      },
      // The first 202 is lost: the NOTIFY arrives first; the retransmitted 202 then matches the dialog.
      { drop: (p) => p.data.toString().startsWith('SIP/2.0 202') && ++accepted === 1 },
    );
    expect(dialog?.dialogType).toBe('SUBSCRIBE');
    // alice answered the NOTIFY with 200 (not 481) before any 202 reached her.
    expect(
      flow(network)
        .slice(0, 5)
        .map((l) => l.replace(/^\d+ /, '')),
    ).toEqual(['A->B SUBSCRIBE', 'B->A 202 Accepted (lost)', 'B->A NOTIFY', 'A->B 200 OK', 'A->B SUBSCRIBE']);
  });
});

describe('REFER and its implicit subscription (RFC 3515)', () => {
  it('the referee accepts with 202 and reports progress by NOTIFY with sipfrag; the referrer hears them on notify$', () => {
    const reports: Array<number | undefined> = [];
    let refer: SipRequest | undefined;
    virtualCall(({ alice, bob }) => {
      bob.invite$.pipe(mergeMap((c) => uas$(c, { localSdp: SDP_B }))).subscribe((referee) => {
        referee.refer$.subscribe(({ req, res }) => {
          refer = req;
          res.send(202);
          sendReferProgress$(referee, 100).subscribe();
          timer(500).subscribe(() => sendReferProgress$(referee, 200).subscribe());
        });
      });
      alice
        .call$('sip:bob@10.0.0.2', { localSdp: SDP_A })
        .pipe(filter((p) => p.type === 'dialog'))
        .subscribe((p) => {
          if (p.type !== 'dialog') return;
          p.dialog.notify$.subscribe(({ req, res }) => {
            reports.push(sipfragStatus(req));
            res.send(200);
          });
          timer(10).subscribe(
            () => void p.dialog.send({ method: 'REFER', headers: { 'Refer-To': '<sip:carol@10.0.0.3>' } }),
          );
        });
    });
    expect(refer?.getParsedHeader('refer-to')?.uri).toBe('sip:carol@10.0.0.3');
    expect(reports).toEqual([100, 200]);
  });
});
