import { AnswerRetransmitter } from '../dialogs/uas-answer.js';
import { sentValues } from '../drachtio-wire/sip-meta.js';
import type { WireMessage } from '../drachtio-wire/wire-message.js';
import { wireTime } from '../drachtio-wire/wire-time.js';
import { createResponse } from '../sip/build.js';
import { uasDialogRoute } from '../sip/dialog-route.js';
import type { SipResponse } from '../sip/message.js';
import type { AppConnection } from './app-connection.js';
import { endDialog } from './dialog-ends.js';
import type { IncomingTransaction, ServerCore } from './server-core.js';
import type { ServerDialog } from './server-dialogs.js';
import { headersOf } from './wire-sip.js';

// RFC 3261 §8.2.6.2: the transaction's identity is the request's, whatever the app wrote.
const IDENTITY = new Set(['via', 'from', 'call-id', 'cseq', 'content-length']);
// RFC 3261 §12.1.1: a response that makes a dialog carries the request's Record-Route.
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);
// RFC 3261 §12.2.2 (and RFC 3311, RFC 6665): a 2xx to these refreshes the remote target.
export const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

/** The first Contact URI of a message. */
export function contactOf(message: { tryParsedHeader(name: 'contact'): unknown }): string | undefined {
  const contacts = message.tryParsedHeader('contact');
  return Array.isArray(contacts) ? (contacts[0] as { uri?: string } | undefined)?.uri : undefined;
}

function refused(txn: IncomingTransaction): string {
  if (txn.inbound.canceled) return 'request was cancelled';
  return 'a final response was already sent';
}

/**
 * An app's response to a request the server handed it: the response the stack sends is built on
 * the request (Via, From, Call-ID, CSeq copied; one To tag for the transaction; Record-Route of a
 * dialog-creating request), the app's headers and body added. A 2xx making a dialog makes the
 * server's dialog, and a 2xx to an INVITE is resent until its ACK (RFC 3261 §13.3.1.4); without
 * one the server ends the call and tells the app. The reply echoes what was sent, with the dialog id.
 */
export function respondForApp(
  core: ServerCore,
  app: AppConnection,
  message: WireMessage,
  txnId: string,
  given: SipResponse,
): void {
  const fail = (reason: string) => app.wire.reply({ rid: message.id, status: 'NOK', values: [reason] });
  const txn = core.incoming.get(txnId);
  if (!txn || txn.app !== app) {
    fail(`unknown transaction ${txnId}`);
    return;
  }
  const request = txn.inbound.message;
  const status = given.status;
  const response = createResponse(request, status, {
    reason: given.reason,
    toTag: txn.toTag,
    headers: headersOf(given, IDENTITY),
    ...(given.payload.length > 0 ? { body: given.payload } : {}),
  });
  if (response.payload.length > 0 && !response.has('content-type'))
    response.set('Content-Type', 'application/sdp');
  if (status > 100 && status < 300 && DIALOG_CREATING.has(request.method) && !response.has('record-route')) {
    const routes = request.getAll('record-route');
    if (routes.length > 0) response.set('Record-Route', routes);
  }
  if (!txn.inbound.respond(response)) {
    fail(refused(txn));
    return;
  }
  let dialog = txn.dialog;
  if (status >= 200 && status < 300) dialog = answered(core, txn, response);
  const source = txn.inbound.source;
  const text = response.toString();
  app.wire.reply({
    rid: message.id,
    status: 'OK',
    values: sentValues({
      bytes: Buffer.byteLength(text),
      protocol: source.protocol,
      address: source.address,
      port: source.port,
      time: wireTime(new Date(core.scheduler.now())),
      txnId,
      dialogId: dialog?.id ?? '',
    }),
    sip: text,
  });
}

/** A 2xx went out: the dialog it makes or refreshes, and its retransmission until the ACK. */
function answered(
  core: ServerCore,
  txn: IncomingTransaction,
  response: SipResponse,
): ServerDialog | undefined {
  const request = txn.inbound.message;
  let dialog = txn.dialog;
  if (!dialog && (request.method === 'INVITE' || request.method === 'SUBSCRIBE')) {
    dialog = core.dialogs.add({
      type: 'uas',
      dialogType: request.method,
      route: uasDialogRoute(request, response.toTag ?? txn.toTag),
      localCseq: 0,
      inviteCseq: 0,
      localContact: response.get('contact') ?? '',
      owner: txn.app,
      ...(txn.inbound.source.flowId === undefined ? {} : { flowId: txn.inbound.source.flowId }),
    });
  } else if (dialog && TARGET_REFRESH.has(request.method)) {
    const target = contactOf(request);
    if (target) dialog.route.remoteTarget = target;
  }
  if (dialog && request.method === 'INVITE') {
    const made = dialog;
    made.answer?.acked();
    made.answer = new AnswerRetransmitter(core.ua, txn.inbound, response, () => {
      made.answer = undefined;
      // RFC 3261 §13.3.1.4: no ACK after 64*T1: the UAS core ends the dialog with BYE.
      endDialog(core, made, { text: 'ACK timeout', cdrReason: 'ack-timeout', tellApp: true });
    });
  }
  return dialog;
}
