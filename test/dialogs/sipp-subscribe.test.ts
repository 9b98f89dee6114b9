import { concat, filter, firstValueFrom, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  asUas,
  type Dialog,
  type DialogEnd,
  type SipRequest,
  type SipResponse,
  type Srf,
  sendReferProgress$,
  sipfragStatus,
  type UacProgress,
} from '../../src/index.js';
import type { SippResult } from '../support/sipp.js';
import { expectClean as expectSippClean, onRequest, sippParties } from '../support/sipp-parties.js';
import { RXSIP_SDP } from '../support/sipp-sdp.js';
import { all, cseqOf, find, header, ladder, tagOf, trace, type Wire } from '../support/sipp-trace.js';

// SUBSCRIBE/NOTIFY dialogs (RFC 6665) and REFER with its implicit subscription (RFC 3515)
// against SIPp on 127.0.0.1 over UDP: one scenario in test/sipp/ (subscribe-*, refer-*) per
// case. SIPp checks the headers it must see with its own regexp actions (its error log must stay
// empty); each test then checks the ladder and headers in SIPp's trace and what rxsip's API
// emitted, and that no dialog is left.

const PIDF =
  '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:rxsip@127.0.0.1"><tuple id="a"><status><basic>open</basic></status></tuple></presence>';

const PRESENCE = { Event: 'presence', Expires: 60, Accept: 'application/pidf+xml' };

function expectClean(result: SippResult): void {
  // SIPp exits 0 when every call succeeded: no failed regexp/test action, no unexpected message.
  expect(result.code, result.stdout).toBe(0);
  expectSippClean(result);
}

// One rxsip and the SIPp instances of each test, all gone after it; SIPp calls `sip:rxsip@...`.
const { rxsip, caller: sippCalls, callee: sippServer } = sippParties({ service: 'rxsip' });

/** rxsip subscribes to SIPp: the SUBSCRIBE dialog and the 2xx that made it known to call$. */
function subscribeTo(srf: Srf, uri: string): Promise<{ dialog: Dialog; response: SipResponse }> {
  return firstValueFrom(
    srf.call$(uri, { method: 'SUBSCRIBE', headers: PRESENCE }).pipe(
      filter((p): p is Extract<UacProgress, { type: 'dialog' }> => p.type === 'dialog'),
      map((p) => ({ dialog: p.dialog, response: p.response })),
    ),
  );
}

/** What the application saw of a NOTIFY it answered. */
interface Heard {
  cseq: number;
  event: string | undefined;
  state: string | undefined;
  body: string;
}

function heardOf(req: SipRequest): Heard {
  return {
    cseq: req.cseq.seq,
    event: req.get('event'),
    state: req.get('subscription-state'),
    body: req.body,
  };
}

/** The final NOTIFY ended the dialog: destroy$ has emitted once. */
function ended(dialog: Dialog): Promise<DialogEnd> {
  return firstValueFrom(dialog.ended$);
}

// --- rxsip is the notifier -------------------------------------------------------------------

describe('rxsip as notifier (RFC 6665): SIPp subscribes', () => {
  it('createUas answers 202 with Expires; the app NOTIFYs active, then destroy() sends NOTIFY terminated at a higher CSeq and the dialog is gone', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const served = onRequest(srf, 'SUBSCRIBE', async ({ req, res }) => {
      const dialog = await srf.createUas(req, res);
      dialog.ended$.subscribe((end) => ends.push(end));
      const made = {
        type: dialog.type,
        dialogType: dialog.dialogType,
        state: dialog.state,
        count: srf.dialogCount,
      };
      const notified = await dialog.send({
        method: 'NOTIFY',
        headers: { Event: 'presence', 'Subscription-State': 'active;expires=60' },
        contentType: 'application/pidf+xml',
        body: PIDF,
      });
      const final = await dialog.end();
      return { dialog, made, notified: notified.status, final, state: dialog.state };
    });
    const result = await sippCalls('subscribe-notifier-destroys', port);
    const { dialog, made, notified, final, state } = await served;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp SUBSCRIBE',
      'rxsip 202 SUBSCRIBE',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
    ]);
    const subscribe = find(wire, 'sipp', 'SUBSCRIBE');
    const accepted = find(wire, 'rxsip', '202 SUBSCRIBE');
    const [active, terminated] = all(wire, 'rxsip', 'NOTIFY');
    // RFC 6665 §4.2.1.1: the 2xx says how long the subscription lasts, and makes the dialog.
    expect(header(accepted, 'expires')).toBe('60');
    expect(header(accepted, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    const localTag = tagOf(header(accepted, 'to'));
    expect(localTag).toBeTruthy();
    for (const notify of [active, terminated]) {
      // In the dialog: to SIPp's Contact, From/To swapped with rxsip's tag, same Call-ID.
      expect(notify?.uri).toBe(`sip:sipp@127.0.0.1:${result.port};transport=UDP`);
      expect(tagOf(header(notify, 'from'))).toBe(localTag);
      expect(tagOf(header(notify, 'to'))).toBe(tagOf(header(subscribe, 'from')));
      expect(header(notify, 'call-id')).toBe(header(subscribe, 'call-id'));
      expect(header(notify, 'event')).toBe('presence');
      expect(header(notify, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    }
    expect(header(active, 'subscription-state')).toBe('active;expires=60');
    expect(header(active, 'content-type')).toBe('application/pidf+xml');
    expect(active?.body).toBe(PIDF);
    expect(header(terminated, 'subscription-state')).toMatch(/^terminated(;|$)/);
    expect(terminated?.body).toBe('');
    expect(cseqOf(terminated).seq).toBeGreaterThan(cseqOf(active).seq);

    expect(made).toEqual({ type: 'uas', dialogType: 'SUBSCRIBE', state: 'confirmed', count: 1 });
    expect(notified).toBe(200);
    // destroy() resolves with the final NOTIFY it sent; the dialog ended when it was sent.
    expect(final?.method).toBe('NOTIFY');
    expect(final?.cseq.seq).toBe(cseqOf(terminated).seq);
    expect(state).toBe('terminated');
    expect(dialog.state).toBe('terminated');
    expect(ends).toEqual([
      expect.objectContaining({ reason: 'subscription-terminated', initiator: 'local' }),
    ]);
    expect(srf.dialogCount).toBe(0);
  });

  it('SIPp unsubscribes (SUBSCRIBE Expires: 0 in the dialog): rxsip answers 200 with Expires: 0, then sends NOTIFY terminated (RFC 6665 §4.2.1.4)', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const counts: number[] = [];
    // The reactive form: asUas() on the SUBSCRIBE stream.
    const served = firstValueFrom(
      srf.subscribe$.pipe(
        asUas(),
        map((dialog) => {
          counts.push(srf.dialogCount);
          dialog.ended$.subscribe((end) => ends.push(end));
          void dialog.send({
            method: 'NOTIFY',
            headers: { Event: 'presence', 'Subscription-State': 'active;expires=60' },
          });
          return dialog;
        }),
      ),
    );
    const result = await sippCalls('subscribe-unsubscribes', port);
    const dialog = await served;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp SUBSCRIBE',
      'rxsip 202 SUBSCRIBE',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
      'sipp SUBSCRIBE',
      'rxsip 200 SUBSCRIBE',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
    ]);
    const unsubscribe = find(wire, 'sipp', 'SUBSCRIBE', 1);
    const ok = find(wire, 'rxsip', '200 SUBSCRIBE');
    const [active, terminated] = all(wire, 'rxsip', 'NOTIFY');
    expect(header(unsubscribe, 'expires')).toBe('0');
    expect(cseqOf(ok)).toEqual({ seq: 2, method: 'SUBSCRIBE' });
    expect(header(ok, 'expires')).toBe('0');
    expect(tagOf(header(ok, 'to'))).toBe(tagOf(header(find(wire, 'rxsip', '202 SUBSCRIBE'), 'to')));
    expect(header(active, 'subscription-state')).toBe('active;expires=60');
    expect(header(terminated, 'event')).toBe('presence');
    expect(header(terminated, 'subscription-state')).toMatch(/^terminated(;|$)/);
    expect(cseqOf(terminated).seq).toBe(cseqOf(active).seq + 1);

    expect(counts).toEqual([1]);
    expect(dialog.state).toBe('terminated');
    // The dialog ended with the final NOTIFY rxsip sent. (Its initiator is 'local' although SIPp
    // ended the subscription, where a BYE from SIPp gives 'remote'; no RFC or README text says
    // which, so it is left unasserted.)
    expect(ends.map((e) => e.reason)).toEqual(['subscription-terminated']);
    expect(ends[0]?.req?.method).toBe('NOTIFY');
    expect(ends[0]?.req?.cseq.seq).toBe(cseqOf(terminated).seq);
    expect(srf.dialogCount).toBe(0);
  });

  it('SIPp never refreshes its 1 s subscription: at the expiry rxsip sends NOTIFY terminated;reason=timeout; destroy$ says subscription-expired', async () => {
    const { srf, port } = await rxsip();
    const served = onRequest(srf, 'SUBSCRIBE', async ({ req, res }) => {
      const dialog = await srf.createUas(req, res);
      const end = ended(dialog);
      const notified = await dialog.send({
        method: 'NOTIFY',
        headers: { Event: 'presence', 'Subscription-State': 'active;expires=1' },
      });
      return { dialog, notified: notified.status, end: await end };
    });
    const result = await sippCalls('subscribe-expires', port);
    const { dialog, notified, end } = await served;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp SUBSCRIBE',
      'rxsip 202 SUBSCRIBE',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
    ]);
    expect(header(find(wire, 'rxsip', '202 SUBSCRIBE'), 'expires')).toBe('1');
    const [active, expired] = all(wire, 'rxsip', 'NOTIFY');
    expect(header(expired, 'event')).toBe('presence');
    expect(header(expired, 'subscription-state')).toBe('terminated;reason=timeout');
    expect(cseqOf(expired).seq).toBe(cseqOf(active).seq + 1);
    expect(tagOf(header(expired, 'from'))).toBe(tagOf(header(active, 'from')));

    expect(notified).toBe(200);
    expect(end).toEqual(expect.objectContaining({ reason: 'subscription-expired', initiator: 'local' }));
    expect(dialog.state).toBe('terminated');
    expect(srf.dialogCount).toBe(0);
  });
});

// --- rxsip is the subscriber ------------------------------------------------------------------

describe('rxsip as subscriber (RFC 6665): SIPp is the notifier', () => {
  it('call$ SUBSCRIBE: 202 makes the dialog; notify$ hears NOTIFY active then terminated;reason=noresource, answers 200, and the terminated one ends the dialog', async () => {
    const { srf } = await rxsip();
    const sipp = await sippServer('subscribe-sipp-notifier');
    const { dialog, response } = await subscribeTo(srf, sipp.uri);
    const made = { type: dialog.type, dialogType: dialog.dialogType, count: srf.dialogCount };
    const heard: Heard[] = [];
    dialog.notify$.subscribe(({ req, res }) => {
      heard.push(heardOf(req));
      res.send(200);
    });
    const end = await ended(dialog);
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip SUBSCRIBE',
      'sipp 202 SUBSCRIBE',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
    ]);
    const subscribe = find(wire, 'rxsip', 'SUBSCRIBE');
    // RFC 6665 §4.1.2.1: Event, Expires and a Contact in the SUBSCRIBE.
    expect(header(subscribe, 'event')).toBe('presence');
    expect(header(subscribe, 'expires')).toBe('60');
    expect(header(subscribe, 'contact')).toMatch(/^<sip:127\.0\.0\.1:\d+>$/);
    expect(tagOf(header(subscribe, 'to'))).toBeUndefined();
    const [active, terminated] = all(wire, 'sipp', 'NOTIFY');
    for (const [i, notify] of [active, terminated].entries()) {
      const ok = all(wire, 'rxsip', '200 NOTIFY')[i];
      expect(cseqOf(ok)).toEqual(cseqOf(notify));
      expect(tagOf(header(ok, 'to'))).toBe(tagOf(header(notify, 'to')));
    }

    expect(response.status).toBe(202);
    expect(made).toEqual({ type: 'uac', dialogType: 'SUBSCRIBE', count: 1 });
    expect(dialog.sip.remoteTag).toBe(tagOf(header(find(wire, 'sipp', '202 SUBSCRIBE'), 'to')));
    expect(heard).toEqual([
      { cseq: 1, event: 'presence', state: 'active;expires=60', body: active?.body },
      { cseq: 2, event: 'presence', state: 'terminated;reason=noresource', body: '' },
    ]);
    expect(active?.body).toContain('<basic>open</basic>');
    expect(end).toEqual(expect.objectContaining({ reason: 'subscription-noresource', initiator: 'remote' }));
    expect(end.req?.cseq.seq).toBe(2);
    expect(dialog.state).toBe('terminated');
    expect(srf.dialogCount).toBe(0);
  });

  /** rxsip subscribes, hears SIPp's first NOTIFY, then unsubscribes with destroy(). */
  async function unsubscribeFromSipp() {
    const { srf } = await rxsip();
    const sipp = await sippServer('subscribe-sipp-notifier-unsubscribed');
    const { dialog } = await subscribeTo(srf, sipp.uri);
    const heard: Heard[] = [];
    const ends: DialogEnd[] = [];
    dialog.ended$.subscribe((end) => ends.push(end));
    const unsubscribed = new Promise<{ sent: SipRequest | undefined; state: string; count: number }>(
      (resolve, reject) => {
        dialog.notify$.subscribe(({ req, res }) => {
          heard.push(heardOf(req));
          res.send(200);
          if (heard.length === 1) {
            dialog
              .end()
              .then((sent) => resolve({ sent, state: dialog.state, count: srf.dialogCount }), reject);
          }
        });
      },
    );
    const { sent, state, count } = await unsubscribed;
    await ended(dialog);
    const result = await sipp.done;
    expectClean(result);
    return { srf, sipp, result, wire: trace(result), dialog, heard, ends, sent, state, count };
  }

  it('destroy() unsubscribes with SUBSCRIBE Expires: 0 in the dialog; SIPp answers 200 and NOTIFY terminated, which rxsip answers 200 and which ends the dialog', async () => {
    const { srf, sipp, wire, heard, ends, sent, state, count } = await unsubscribeFromSipp();

    expect(ladder(wire)).toEqual([
      'rxsip SUBSCRIBE',
      'sipp 202 SUBSCRIBE',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'rxsip SUBSCRIBE',
      'sipp 200 SUBSCRIBE',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
    ]);
    const [first, unsubscribe] = all(wire, 'rxsip', 'SUBSCRIBE');
    expect(header(unsubscribe, 'expires')).toBe('0');
    expect(header(unsubscribe, 'event')).toBe('presence');
    expect(cseqOf(unsubscribe).seq).toBe(cseqOf(first).seq + 1);
    expect(unsubscribe?.uri).toBe(`sip:sipp@127.0.0.1:${sipp.port};transport=UDP`);
    expect(tagOf(header(unsubscribe, 'to'))).toBe(tagOf(header(find(wire, 'sipp', '202 SUBSCRIBE'), 'to')));
    expect(tagOf(header(unsubscribe, 'from'))).toBe(tagOf(header(first, 'from')));
    expect(header(unsubscribe, 'call-id')).toBe(header(first, 'call-id'));
    const finalNotify = find(wire, 'sipp', 'NOTIFY', 1);
    expect(cseqOf(find(wire, 'rxsip', '200 NOTIFY', 1))).toEqual(cseqOf(finalNotify));

    // destroy() resolved with the unsubscribe once answered; the dialog waits for the final NOTIFY.
    expect(sent?.method).toBe('SUBSCRIBE');
    expect(sent?.get('expires')).toBe('0');
    expect({ state, count }).toEqual({ state: 'confirmed', count: 1 });
    expect(heard.map((h) => h.state)).toEqual(['active;expires=60', 'terminated']);
    // (Who ended it is the next test.)
    expect(ends.map((e) => e.reason)).toEqual(['subscription-terminated']);
    expect(ends[0]?.req?.cseq.seq).toBe(cseqOf(finalNotify).seq);
    expect(srf.dialogCount).toBe(0);
  });

  // The dialog ends when the notifier's final NOTIFY arrives, but the application ended it: the
  // README promises destroy$ with initiator 'local' for a local destroy().
  it("a subscriber's destroy() is reported on destroy$ with initiator 'local' (README: destroy$ fires for a local destroy() with initiator: 'local')", async () => {
    const { ends } = await unsubscribeFromSipp();
    expect(ends).toEqual([
      expect.objectContaining({ reason: 'subscription-terminated', initiator: 'local' }),
    ]);
  });

  /** SIPp's first NOTIFY reaches rxsip before its 202; the app listens on notify$ once it has the dialog. */
  async function notifyBefore202() {
    const { srf } = await rxsip();
    const sipp = await sippServer('subscribe-notify-before-202');
    const counts: number[] = [];
    const heard: Heard[] = [];
    const progress = await firstValueFrom(
      srf.call$(sipp.uri, { method: 'SUBSCRIBE', headers: PRESENCE }).pipe(
        filter((p): p is Extract<UacProgress, { type: 'dialog' }> => {
          if (p.type === 'request') counts.push(srf.dialogCount);
          return p.type === 'dialog';
        }),
      ),
    );
    const { dialog, response } = progress;
    dialog.notify$.subscribe(({ req, res }) => {
      heard.push(heardOf(req));
      res.send(200);
    });
    const end = await ended(dialog);
    const result = await sipp.done;
    expectClean(result);
    return { srf, result, wire: trace(result), counts, heard, dialog, response, end };
  }

  it('a NOTIFY that overtakes the 202 makes the dialog and is answered 200, not 481 (RFC 6665 §4.1.2.4); the late 202 then finds that dialog', async () => {
    const { srf, wire, counts, heard, dialog, response, end } = await notifyBefore202();

    expect(ladder(wire)).toEqual([
      'rxsip SUBSCRIBE',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'sipp 202 SUBSCRIBE',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
    ]);
    const early = find(wire, 'sipp', 'NOTIFY');
    const answer = find(wire, 'rxsip', '200 NOTIFY');
    const accepted = find(wire, 'sipp', '202 SUBSCRIBE');
    expect(cseqOf(answer)).toEqual(cseqOf(early));
    expect(tagOf(header(answer, 'to'))).toBe(tagOf(header(early, 'to')));
    // The dialog the NOTIFY made is the one the 202 confirms: same tags on both sides.
    expect(tagOf(header(accepted, 'to'))).toBe(tagOf(header(early, 'from')));
    expect(all(wire, 'rxsip', 'SUBSCRIBE')).toHaveLength(1);

    expect(counts).toEqual([0]);
    expect(response.status).toBe(202);
    expect(dialog.dialogType).toBe('SUBSCRIBE');
    expect(dialog.type).toBe('uac');
    expect(dialog.sip.remoteTag).toBe(tagOf(header(early, 'from')));
    expect(dialog.sip.localTag).toBe(tagOf(header(find(wire, 'rxsip', 'SUBSCRIBE'), 'from')));
    expect(heard.at(-1)).toEqual({
      cseq: 2,
      event: 'presence',
      state: 'terminated;reason=noresource',
      body: '',
    });
    expect(end).toEqual(expect.objectContaining({ reason: 'subscription-noresource', initiator: 'remote' }));
    expect(srf.dialogCount).toBe(0);
  });

  // The overtaking NOTIFY carries the subscription's first state (RFC 6665 §4.2.1.2): it is
  // answered 200 at once (SIPp waits for that before its 202), and the application, which gets
  // the dialog with the 202, still hears it first on notify$.
  it('the NOTIFY that made the dialog before the 202 reaches the application on notify$ (subscribe$ doc: the dialog is emitted once a NOTIFY arrives)', async () => {
    const { heard } = await notifyBefore202();
    expect(heard.map((h) => [h.cseq, h.state])).toEqual([
      [1, 'active;expires=60'],
      [2, 'terminated;reason=noresource'],
    ]);
  });
});

// --- REFER (RFC 3515) ------------------------------------------------------------------------

/** The sipfrag NOTIFYs of a REFER's implicit subscription, as seen on the wire. */
function expectSipfragNotifies(notifies: Wire[]): void {
  expect(notifies).toHaveLength(2);
  const [trying, done] = notifies;
  for (const notify of notifies) {
    expect(header(notify, 'event')).toBe('refer');
    expect(header(notify, 'content-type')).toMatch(/^message\/sipfrag/);
  }
  expect(trying?.body.trim()).toBe('SIP/2.0 100 Trying');
  expect(header(trying, 'subscription-state')).toMatch(/^active/);
  expect(done?.body.trim()).toBe('SIP/2.0 200 OK');
  expect(header(done, 'subscription-state')).toMatch(/^terminated(;|$)/);
  expect(cseqOf(done).seq).toBeGreaterThan(cseqOf(trying).seq);
}

describe('REFER and its implicit subscription (RFC 3515) against SIPp', () => {
  it("SIPp REFERs in the call: the app accepts 202 on refer$ and reports 100 then 200 with referProgress: sipfrag NOTIFYs, the last terminated; the call lives on until SIPp's BYE", async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const refers: SipRequest[] = [];
    const notifyAnswers: number[] = [];
    const answered = onRequest(srf, 'INVITE', async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.ended$.subscribe((end) => ends.push(end));
      const reported = new Promise<string>((resolve, reject) => {
        dialog.refer$.subscribe(({ req: refer, res: accept }) => {
          refers.push(refer);
          accept.send(202);
          // One NOTIFY at a time: the 200 report goes once the 100 is answered.
          concat(sendReferProgress$(dialog, 100), sendReferProgress$(dialog, 200)).subscribe({
            next: (r) => r.status >= 200 && notifyAnswers.push(r.status),
            error: reject,
            complete: () => resolve(dialog.state),
          });
        });
      });
      return { dialog, stateAfterReports: await reported };
    });
    const result = await sippCalls('refer-from-sipp', port);
    const { dialog, stateAfterReports } = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp REFER',
      'rxsip 202 REFER',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
      'rxsip NOTIFY',
      'sipp 200 NOTIFY',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const ok = find(wire, 'rxsip', '200 INVITE');
    const notifies = all(wire, 'rxsip', 'NOTIFY');
    expectSipfragNotifies(notifies);
    for (const notify of notifies) {
      expect(notify.uri).toBe(`sip:sipp@127.0.0.1:${result.port};transport=UDP`);
      expect(tagOf(header(notify, 'from'))).toBe(tagOf(header(ok, 'to')));
      expect(header(notify, 'call-id')).toBe(header(ok, 'call-id'));
    }
    expect(cseqOf(find(wire, 'rxsip', '202 REFER'))).toEqual({ seq: 2, method: 'REFER' });

    expect(refers).toHaveLength(1);
    expect(refers[0]?.getParsedHeader('refer-to')?.uri).toBe(`sip:carol@127.0.0.1:${result.port}`);
    expect(notifyAnswers).toEqual([200, 200]);
    // The implicit subscription ended, not the call.
    expect(stateAfterReports).toBe('confirmed');
    expect(dialog.dialogType).toBe('INVITE');
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'remote' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it("rxsip REFERs SIPp in the call: 202, then notify$ hears sipfrag 100 and 200 (sipfragStatus), answers each 200, and the call stays up until rxsip's BYE", async () => {
    const { srf } = await rxsip();
    const sipp = await sippServer('refer-to-sipp');
    const dialog = await srf.createUac(sipp.uri, { localSdp: RXSIP_SDP });
    const reports: Array<{
      status: number | undefined;
      state: string | undefined;
      event: string | undefined;
    }> = [];
    const reported = new Promise<void>((resolve) => {
      dialog.notify$.subscribe(({ req, res }) => {
        reports.push({
          status: sipfragStatus(req),
          state: req.get('subscription-state'),
          event: req.get('event'),
        });
        res.send(200);
        if (reports.length === 2) resolve();
      });
    });
    const accepted = await dialog.send({ method: 'REFER', headers: { 'Refer-To': '<sip:carol@127.0.0.1>' } });
    await reported;
    const stateAfterReports = dialog.state;
    const bye = await dialog.end();
    const result = await sipp.done;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip REFER',
      'sipp 202 REFER',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const invite = find(wire, 'rxsip', 'INVITE');
    const refer = find(wire, 'rxsip', 'REFER');
    expect(header(refer, 'refer-to')).toBe('<sip:carol@127.0.0.1>');
    expect(cseqOf(refer).seq).toBe(cseqOf(invite).seq + 1);
    expect(refer.uri).toBe(`sip:sipp@127.0.0.1:${sipp.port};transport=UDP`);
    expect(tagOf(header(refer, 'to'))).toBe(tagOf(header(find(wire, 'sipp', '200 INVITE'), 'to')));
    expectSipfragNotifies(all(wire, 'sipp', 'NOTIFY'));
    expect(cseqOf(find(wire, 'rxsip', 'BYE')).seq).toBe(cseqOf(invite).seq + 2);

    expect(accepted.status).toBe(202);
    expect(reports).toEqual([
      { status: 100, state: 'active;expires=60', event: 'refer' },
      { status: 200, state: 'terminated;reason=noresource', event: 'refer' },
    ]);
    // A terminated refer subscription does not end the INVITE dialog.
    expect(stateAfterReports).toBe('confirmed');
    expect(bye?.method).toBe('BYE');
    expect(dialog.state).toBe('terminated');
    expect(srf.dialogCount).toBe(0);
  });
});
