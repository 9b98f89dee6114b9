import { pino } from 'pino';
import { firstValueFrom, mergeMap, take, tap } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DialogEnd,
  filterMethod,
  type RequestEvent,
  type SipRequest,
  Srf,
  uas$,
} from '../../src/index.js';
import { freePort } from '../support/ports.js';
import { runSipp, type SippResult } from '../support/sipp.js';

// The dialog layer against SIPp on 127.0.0.1 over UDP: rxsip runs here, SIPp plays the other UA
// with a scenario from test/sipp/ per case. Every test checks what SIPp saw on the wire (its
// message trace and success count) and what the application saw (dialogs, observables, promises).

const silent = pino({ level: 'silent' });

const RXSIP_SDP = [
  'v=0',
  'o=rxsip 2890844526 1 IN IP4 127.0.0.1',
  's=rxsip',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

const APP_SDP = RXSIP_SDP.replace('s=rxsip', 's=app-answer').replace(' 1 IN IP4', ' 2 IN IP4');

/** One message of SIPp's trace: who sent it, and what it said. */
interface Wire {
  by: 'sipp' | 'rxsip';
  method?: string;
  status?: number;
  uri?: string;
  /** Header values by lower-case name, in order. */
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

function header(message: Wire | undefined, name: string): string | undefined {
  return message?.headers.get(name.toLowerCase())?.[0];
}

function cseqOf(message: Wire | undefined): { seq: number; method: string } {
  const [seq, method] = (header(message, 'cseq') ?? '').split(/\s+/);
  return { seq: Number(seq), method: method ?? '' };
}

function tagOf(value: string | undefined): string | undefined {
  return /;\s*tag=([^;\s]+)/i.exec(value ?? '')?.[1];
}

function branchOf(message: Wire | undefined): string | undefined {
  return /;\s*branch=([^;\s]+)/i.exec(header(message, 'via') ?? '')?.[1];
}

/** Reads SIPp's -trace_msg log (written as SIPp saw the messages) without rxsip's parser. */
function trace(result: SippResult): Wire[] {
  const messages: Wire[] = [];
  for (const block of result.messages.split(/^-{20,}.*$/m)) {
    const m = /^\s*(?:UDP|TCP) message (sent|received)[^\n]*\n\r?\n([\s\S]*)$/.exec(block);
    if (!m?.[2]) continue;
    const raw = m[2];
    const split = /\r?\n\r?\n/.exec(raw);
    const head = split ? raw.slice(0, split.index) : raw;
    const rest = split ? raw.slice(split.index + split[0].length) : '';
    const [start = '', ...lines] = head.split(/\r?\n/);
    const headers = new Map<string, string[]>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    const length = Number(headers.get('content-length')?.[0] ?? 0);
    const wire: Wire = {
      by: m[1] === 'sent' ? 'sipp' : 'rxsip',
      headers,
      body: Buffer.from(rest).subarray(0, length).toString(),
      raw,
    };
    const status = /^SIP\/2\.0 (\d{3})/.exec(start);
    if (status) wire.status = Number(status[1]);
    else [wire.method, wire.uri] = start.split(' ');
    messages.push(wire);
  }
  return messages;
}

/** The call flow as SIPp saw it, 100 Trying left out: `sipp INVITE`, `rxsip 200 INVITE`, ... */
function ladder(messages: Wire[]): string[] {
  return messages
    .filter((m) => m.status !== 100)
    .map((m) => `${m.by} ${m.status ? `${m.status} ${cseqOf(m).method}` : m.method}`);
}

function find(messages: Wire[], by: Wire['by'], what: string, nth = 0): Wire {
  const found = messages.filter(
    (m) => m.by === by && (m.method === what || `${m.status} ${cseqOf(m).method}` === what),
  )[nth];
  if (!found) throw new Error(`no ${what} from ${by} in the trace:\n${ladder(messages).join('\n')}`);
  return found;
}

function expectClean(result: SippResult): void {
  expect(result.errors, result.stdout).toBe('');
  expect(result.failed).toBe(0);
  expect(result.successful).toBe(1);
}

// --- set-up: one rxsip and the SIPp instances of the test, all gone after it ---------------------

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rxsip(): Promise<{ srf: Srf; port: number }> {
  const port = await freePort();
  const srf = new Srf({ logger: silent });
  await srf.start({ listen: [`127.0.0.1:${port}`] });
  cleanups.push(() => srf.close());
  return { srf, port };
}

/** SIPp calls rxsip once with a scenario. */
async function sippCalls(scenario: string, rxsipPort: number): Promise<SippResult & { port: number }> {
  const port = await freePort();
  const result = await runSipp({
    scenario,
    target: `127.0.0.1:${rxsipPort}`,
    service: 'rxsip',
    calls: 1,
    localPort: port,
    timeoutSeconds: 10,
  });
  return { ...result, port };
}

/** Handles the first INVITE rxsip receives, settling with what the handler returns. */
function onInvite<T>(srf: Srf, handler: (call: RequestEvent) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    srf.requests$
      .pipe(filterMethod('INVITE'), take(1))
      .subscribe((call) => handler(call).then(resolve, reject));
  });
}

// --- rxsip answers ---------------------------------------------------------------------------

describe('UAS dialogs: SIPp calls rxsip', () => {
  it('the caller hangs up: BYE answered 200, destroy$ emits normal-release from remote, no dialog left', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      const count = srf.dialogCount;
      dialog.destroy$.subscribe((end) => ends.push(end));
      return { dialog, count };
    });
    const result = await sippCalls('uas-caller-hangs-up', port);
    const { dialog, count } = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const ok = find(wire, 'rxsip', '200 INVITE');
    expect(ok.body).toBe(RXSIP_SDP);
    expect(header(ok, 'content-type')).toBe('application/sdp');
    expect(header(ok, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    expect(tagOf(header(ok, 'to'))).toBe(dialog.sip.localTag);

    expect(count).toBe(1);
    expect(dialog.type).toBe('uas');
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE').body);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ reason: 'normal-release', initiator: 'remote' });
    expect(ends[0]?.req?.method).toBe('BYE');
    expect(ends[0]?.req?.callId).toBe(header(find(wire, 'sipp', 'BYE'), 'call-id'));
    expect(dialog.state).toBe('terminated');
    expect(srf.dialogCount).toBe(0);
  });

  it('rxsip hangs up after the ACK: SIPp gets a BYE in the dialog and answers 200', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const hungUp = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.destroy$.subscribe((end) => ends.push(end));
      const ack = await firstValueFrom(dialog.ack$);
      const bye = await dialog.destroy();
      return { dialog, ack, bye };
    });
    const result = await sippCalls('uas-rxsip-hangs-up', port);
    const { dialog, ack, bye } = await hungUp;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const invite = find(wire, 'sipp', 'INVITE');
    const sent = find(wire, 'rxsip', 'BYE');
    // RFC 3261 §12.2.1.1: to the remote target, with the dialog's Call-ID and tags.
    expect(sent.uri).toBe(`sip:sipp@127.0.0.1:${result.port};transport=UDP`);
    expect(header(sent, 'call-id')).toBe(header(invite, 'call-id'));
    expect(tagOf(header(sent, 'from'))).toBe(tagOf(header(find(wire, 'rxsip', '200 INVITE'), 'to')));
    expect(tagOf(header(sent, 'to'))).toBe(tagOf(header(invite, 'from')));
    expect(cseqOf(sent).method).toBe('BYE');

    expect(ack.method).toBe('ACK');
    expect(bye?.method).toBe('BYE');
    expect(bye?.callId).toBe(header(sent, 'call-id'));
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'local' })]);
    expect(dialog.state).toBe('terminated');
    expect(srf.dialogCount).toBe(0);
  });

  it('re-INVITE, INFO and NOTIFY nobody listens to get the default answers: 200 with the local SDP, 200, 200', async () => {
    const { srf, port } = await rxsip();
    const ends: DialogEnd[] = [];
    const acks: SipRequest[] = [];
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.ack$.subscribe((ack) => acks.push(ack));
      dialog.destroy$.subscribe((end) => ends.push(end));
      return dialog;
    });
    const result = await sippCalls('uas-in-dialog-defaults', port);
    const dialog = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INFO',
      'rxsip 200 INFO',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const reinviteOk = find(wire, 'rxsip', '200 INVITE', 1);
    expect(cseqOf(reinviteOk).seq).toBe(2);
    expect(reinviteOk.body).toBe(RXSIP_SDP);
    expect(header(reinviteOk, 'content-type')).toBe('application/sdp');
    expect(header(reinviteOk, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    expect(find(wire, 'rxsip', '200 INFO').body).toBe('');
    expect(find(wire, 'rxsip', '200 NOTIFY').body).toBe('');

    // The re-INVITE's offer is now the remote SDP; ours is unchanged.
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE', 1).body);
    expect(dialog.remote.sdp).toContain('s=sipp-reoffer');
    expect(dialog.local.sdp).toBe(RXSIP_SDP);
    // Both ACKs reached the dialog: the one for the first 200 and the one for the re-INVITE's.
    expect(acks.map((a) => a.cseq.seq)).toEqual([1, 2]);
    expect(ends).toEqual([expect.objectContaining({ reason: 'normal-release', initiator: 'remote' })]);
    expect(srf.dialogCount).toBe(0);
  });

  it('subscribers of modify$, info$ and notify$ get the requests and answer them themselves', async () => {
    const { srf, port } = await rxsip();
    const seen: { modify: SipRequest[]; info: SipRequest[]; notify: SipRequest[] } = {
      modify: [],
      info: [],
      notify: [],
    };
    const answered = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      dialog.modify$.subscribe(({ req: reinvite, res: answer }) => {
        seen.modify.push(reinvite);
        answer.send(200, { headers: { 'Content-Type': 'application/sdp' }, body: APP_SDP });
      });
      dialog.info$.subscribe(({ req: info, res: answer }) => {
        seen.info.push(info);
        answer.send(202);
      });
      dialog.notify$.subscribe(({ req: notify, res: answer }) => {
        seen.notify.push(notify);
        answer.send(200, { headers: { 'X-Answered-By': 'notify$' } });
      });
      return dialog;
    });
    const result = await sippCalls('uas-in-dialog-app-answers', port);
    const dialog = await answered;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INFO',
      'rxsip 202 INFO',
      'sipp NOTIFY',
      'rxsip 200 NOTIFY',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const reinviteOk = find(wire, 'rxsip', '200 INVITE', 1);
    expect(reinviteOk.body).toBe(APP_SDP);
    expect(header(reinviteOk, 'contact')).toBe(`<sip:127.0.0.1:${port}>`);
    expect(header(find(wire, 'rxsip', '200 NOTIFY'), 'x-answered-by')).toBe('notify$');

    expect(seen.modify.map((r) => r.body)).toEqual([find(wire, 'sipp', 'INVITE', 1).body]);
    expect(seen.info.map((r) => [r.get('content-type'), r.body])).toEqual([
      ['application/dtmf-relay', find(wire, 'sipp', 'INFO').body],
    ]);
    expect(seen.notify.map((r) => [r.get('event'), r.body])).toEqual([
      ['refer', find(wire, 'sipp', 'NOTIFY').body],
    ]);
    // The application's answer is now our SDP, the re-offer the peer's.
    expect(dialog.local.sdp).toBe(APP_SDP);
    expect(dialog.remote.sdp).toBe(find(wire, 'sipp', 'INVITE', 1).body);
    expect(srf.dialogCount).toBe(0);
  });

  it('hold and unhold from SIPp (uas$): hold$ then unhold$ emit, onHold flips, both answered with the local SDP', async () => {
    const { srf, port } = await rxsip();
    const holds: Array<{ onHold: boolean; offer: string }> = [];
    const unholds: Array<{ onHold: boolean; offer: string }> = [];
    const dialog = firstValueFrom(
      srf.requests$.pipe(
        filterMethod('INVITE'),
        mergeMap((call) => uas$(call, { localSdp: RXSIP_SDP })),
        tap((d) => {
          d.hold$.subscribe((req) => holds.push({ onHold: d.onHold, offer: req.body }));
          d.unhold$.subscribe((req) => unholds.push({ onHold: d.onHold, offer: req.body }));
        }),
      ),
    );
    const result = await sippCalls('uas-hold-unhold', port);
    const held = await dialog;

    expectClean(result);
    const wire = trace(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'sipp BYE',
      'rxsip 200 BYE',
    ]);
    const holdOffer = find(wire, 'sipp', 'INVITE', 1).body;
    const unholdOffer = find(wire, 'sipp', 'INVITE', 2).body;
    expect(holdOffer).toContain('a=sendonly');
    expect(unholdOffer).toContain('a=sendrecv');
    expect(find(wire, 'rxsip', '200 INVITE', 1).body).toBe(RXSIP_SDP);
    expect(find(wire, 'rxsip', '200 INVITE', 2).body).toBe(RXSIP_SDP);

    expect(holds).toEqual([{ onHold: true, offer: holdOffer }]);
    expect(unholds).toEqual([{ onHold: false, offer: unholdOffer }]);
    expect(held.onHold).toBe(false);
    expect(held.remote.sdp).toBe(unholdOffer);
    expect(srf.dialogCount).toBe(0);
  });

  /** rxsip answers, waits for the ACK, puts SIPp on hold with modify('hold'), then hangs up. */
  async function holdSipp() {
    const { srf, port } = await rxsip();
    const held = onInvite(srf, async ({ req, res }) => {
      const dialog = await srf.createUas(req, res, { localSdp: RXSIP_SDP });
      await firstValueFrom(dialog.ack$);
      const remote = await dialog.modify('hold');
      const onHold = dialog.onHold;
      const localWhileHeld = dialog.local.sdp;
      await dialog.destroy();
      return { dialog, remote, onHold, localWhileHeld };
    });
    const result = await sippCalls('uas-held-by-rxsip', port);
    return { srf, result, wire: trace(result), ...(await held) };
  }

  it("rxsip puts SIPp on hold with modify('hold'): a re-INVITE saying a=inactive, answered 200 and ACKed", async () => {
    const { srf, result, wire, remote, onHold, localWhileHeld } = await holdSipp();

    expectClean(result);
    expect(ladder(wire)).toEqual([
      'sipp INVITE',
      'rxsip 200 INVITE',
      'sipp ACK',
      'rxsip INVITE',
      'sipp 200 INVITE',
      'rxsip ACK',
      'rxsip BYE',
      'sipp 200 BYE',
    ]);
    const reinvite = find(wire, 'rxsip', 'INVITE');
    const ack = find(wire, 'rxsip', 'ACK');
    expect(reinvite.uri).toBe(`sip:sipp@127.0.0.1:${result.port};transport=UDP`);
    expect(header(reinvite, 'content-type')).toBe('application/sdp');
    expect(reinvite.body).toMatch(/^a=inactive\r?$/m);
    expect(reinvite.body).not.toMatch(/^a=(sendrecv|sendonly|recvonly)/m);
    expect(tagOf(header(reinvite, 'to'))).toBe(tagOf(header(find(wire, 'sipp', 'INVITE'), 'from')));
    // RFC 3261 §13.2.2.4: the ACK has the re-INVITE's CSeq number, its own branch.
    expect(cseqOf(ack)).toEqual({ seq: cseqOf(reinvite).seq, method: 'ACK' });
    expect(branchOf(ack)).not.toBe(branchOf(reinvite));
    expect(cseqOf(find(wire, 'rxsip', 'BYE')).seq).toBeGreaterThan(cseqOf(reinvite).seq);

    expect(remote).toBe(find(wire, 'sipp', '200 INVITE', 0).body);
    expect(remote).toContain('s=sipp-held');
    expect(onHold).toBe(true);
    expect(localWhileHeld).toMatch(/^a=inactive\r?$/m);
    expect(srf.dialogCount).toBe(0);
  });

  // BUG: RFC 3264 §8 says a re-offer that changes the session keeps the o= line but increments
  // its version. rxsip's hold re-INVITE says a=inactive with the o= line of its first answer
  // unchanged (`o=rxsip 2890844526 1`, version 1 again): Dialog.modify('hold') sends
  // withDirection(local.sdp, 'inactive'), which rewrites the direction only.
  it.fails("rxsip's hold re-offer increments the SDP o= version (RFC 3264 §8)", async () => {
    const { wire } = await holdSipp();
    const origin = (sdp: string) => /^o=(\S+) (\S+) (\d+)/m.exec(sdp)?.slice(1);
    const first = origin(find(wire, 'rxsip', '200 INVITE').body);
    const reoffer = origin(find(wire, 'rxsip', 'INVITE').body);
    expect(first).toEqual(['rxsip', '2890844526', '1']);
    expect(reoffer).toEqual(['rxsip', '2890844526', '2']);
  });
});
