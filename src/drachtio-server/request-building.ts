import { createRequest } from '../sip/build.js';
import { inDialogRequest } from '../sip/dialog-route.js';
import { newCallId } from '../sip/ids.js';
import { type HeaderInit, SipRequest } from '../sip/message.js';
import { TARGET_REFRESH } from './app-responses.js';
import type { ServerDialog } from './server-dialogs.js';
import { headersOf } from './wire-sip.js';

// What the server writes itself in a request outside a dialog when the app gave none. Via
// lines an app gives are kept under the server's own: an app proxying a request passes them.
const OUT_OF_DIALOG_OWN = new Set(['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length']);
// What the dialog decides in a request inside it (RFC 3261 §12.2.1.1).
/** @internal The headers the stack decides in a request inside a dialog, or in a CANCEL; the app's are dropped. */
export const IN_DIALOG_OWN: ReadonlySet<string> = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'route',
  'content-length',
]);

/** drachtio-srf sends SDP without a Content-Type: drachtio-server names it, as this does. */
export function withSdpType(message: {
  payload: Buffer;
  has(name: string): boolean;
  set(name: string, value: string): unknown;
}): void {
  if (message.payload.length > 0 && !message.has('content-type'))
    message.set('Content-Type', 'application/sdp');
}

/** drachtio-srf writes `sip:1234@localhost` for a calling number: the host becomes the server's. */
function withHost(value: string, hostPort: string): string {
  return value.replace(/@localhost(?=[>;:]|$)(?::\d+)?/gi, `@${hostPort}`);
}

/**
 * A request outside a dialog from what an app wrote (drachtio-srf sends only what the app gave):
 * From (the server's address when none; `localhost` replaced by it), its tag, To (the
 * Request-URI), Call-ID, CSeq and Max-Forwards filled in when missing (RFC 3261 §8.1.1). The
 * engine adds its Via on top of any the app gave, and the Contact of a request that needs one.
 *
 * @param given - what the app sent
 * @param hostPort - the server's SIP address, `host:port`
 * @returns the request to send
 */
export function completeRequest(given: SipRequest, hostPort: string): SipRequest {
  const headers: HeaderInit = headersOf(given, OUT_OF_DIALOG_OWN);
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'contact' || name.toLowerCase() === 'm') {
      const values = headers[name] as string[];
      headers[name] = values.map((v) => withHost(v, hostPort));
    }
  }
  const from = given.get('from');
  const request = createRequest({
    method: given.method,
    uri: given.uri,
    from: from ? withHost(from, hostPort) : `<sip:${hostPort}>`,
    to: given.get('to') ?? `<${given.uri}>`,
    callId: given.get('call-id') ?? newCallId(),
    cseq: given.tryParsedHeader('cseq')?.seq ?? 1,
    maxForwards: given.tryParsedHeader('max-forwards') ?? 70,
    headers,
    ...(given.payload.length > 0 ? { body: given.payload } : {}),
  });
  withSdpType(request);
  return request;
}

/**
 * A request inside a server dialog from what an app wrote (drachtio-srf: `METHOD sip:placeholder`
 * with its headers): Request-URI, Route, From, To and Call-ID from the dialog (RFC 3261
 * §12.2.1.1), the CSeq the app gave when it is ahead of ours, else ours plus one; an ACK takes
 * the CSeq of our last INVITE (§13.2.2.4). A target refresh gets our Contact when it has none.
 *
 * @param dialog - the server's dialog (its CSeq counters move)
 * @param given - what the app sent
 * @returns the request to send
 */
export function buildInDialog(dialog: ServerDialog, given: SipRequest): SipRequest {
  const method = given.method;
  let cseq: number;
  if (method === 'ACK') cseq = dialog.inviteCseq;
  else {
    const asked = given.tryParsedHeader('cseq')?.seq;
    cseq = asked !== undefined && asked > dialog.localCseq ? asked : dialog.localCseq + 1;
    dialog.localCseq = cseq;
    if (method === 'INVITE') dialog.inviteCseq = cseq;
  }
  const request = inDialogRequest(dialog.route, method, cseq, {
    headers: headersOf(given, IN_DIALOG_OWN),
    ...(given.payload.length > 0 ? { body: given.payload } : {}),
  });
  if (TARGET_REFRESH.has(method) && !request.has('contact') && dialog.localContact)
    request.set('Contact', dialog.localContact);
  withSdpType(request);
  return request;
}

/**
 * The CANCEL the stack sends for an INVITE (RFC 3261 §9.1), as the reply to an app's CANCEL
 * echoes it: the INVITE's Request-URI, top Via, From, To, Call-ID and CSeq number.
 *
 * @param invite - the INVITE as sent
 * @param headers - what the app added (a Reason)
 * @returns the CANCEL
 */
export function cancelOf(invite: SipRequest, headers: HeaderInit): SipRequest {
  const cancel = new SipRequest('CANCEL', invite.uri, []);
  const via = invite.getAll('via')[0];
  if (via !== undefined) cancel.set('Via', via);
  cancel.set({
    From: invite.get('from') ?? '',
    To: invite.get('to') ?? '',
    'Call-ID': invite.get('call-id') ?? '',
    CSeq: `${invite.tryParsedHeader('cseq')?.seq ?? 1} CANCEL`,
    'Max-Forwards': '70',
  });
  cancel.set(headers);
  return cancel;
}
