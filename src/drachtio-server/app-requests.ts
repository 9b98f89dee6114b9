import { randomUUID } from 'node:crypto';
import { Subject, type Subscription } from 'rxjs';
import { readSipInstruction, sentValues, sipMetaArgs } from '../drachtio-wire/sip-meta.js';
import type { WireMessage } from '../drachtio-wire/wire-message.js';
import { wireTime } from '../drachtio-wire/wire-time.js';
import { ackFor2xx } from '../sip/ack-for-2xx.js';
import { inDialogRequest, uacDialogRoute } from '../sip/dialog-route.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import type { ClientFailure } from '../transaction/transaction-context.js';
import { hostPort, type Target } from '../transport/types.js';
import type { AppConnection } from './app-connection.js';
import { contactOf, TARGET_REFRESH } from './app-responses.js';
import { endsSubscription } from './network-requests.js';
// A CANCEL's identity is its INVITE's (RFC 3261 §9.1): the headers a request in a dialog takes from it.
import { buildInDialog, cancelOf, completeRequest, IN_DIALOG_OWN } from './request-building.js';
import type { ServerCore } from './server-core.js';
import type { ServerDialog } from './server-dialogs.js';
import { headersOf } from './wire-sip.js';

/** A request an app sent through the server, until its final response. */
interface OutgoingTransaction {
  txnId: string;
  app: AppConnection;
  request: SipRequest;
  /** As sent: with our Via, after a digest retry or a failover. */
  sent: SipRequest;
  target: Target | undefined;
  dialog: ServerDialog | undefined;
  cancel: Subject<HeaderInit>;
  final: boolean;
  /** To tags of the 2xx responses seen (a retransmission is ACKed again, not passed on). */
  answered: Set<string>;
  subscription?: Subscription;
}

/**
 * Requests apps send through the server, as drachtio-server takes them: outside a dialog (the
 * server fills in what the app left out), inside one (`dialogId`, or tags naming a server
 * dialog: the dialog decides the addressing), ACKs, and CANCELs of an app's INVITE (`txnId`).
 * The reply echoes the request as sent; each response goes to the app with the transaction's id.
 */
export class AppRequests {
  private readonly outgoing = new Map<string, OutgoingTransaction>();

  constructor(
    private readonly core: ServerCore,
    private readonly released: (app: AppConnection) => void,
  ) {}

  /** Takes an app's `sip` message carrying a request. */
  handle(app: AppConnection, message: WireMessage, given: SipRequest): void {
    const instruction = readSipInstruction(message.args);
    const fail = (reason: string) => app.wire.reply({ rid: message.id, status: 'NOK', values: [reason] });
    if (given.method === 'CANCEL') {
      this.cancel(app, message, instruction.txnId, given);
      return;
    }
    const dialog = instruction.dialogId ? this.core.dialogs.get(instruction.dialogId) : this.dialogOf(given);
    if (instruction.dialogId && !dialog) {
      fail(`unable to find dialog ${instruction.dialogId}`);
      return;
    }
    if (given.method === 'ACK') {
      if (!dialog) {
        fail('ACK outside a dialog');
        return;
      }
      const ack = buildInDialog(dialog, given);
      dialog.lastAck = ack;
      this.core.engine.sendAck(ack, { flowId: dialog.flowId });
      this.replySent(app, message.id, ack, undefined, randomUUID(), dialog.id);
      return;
    }
    if (app.load >= this.core.limits.maxPendingRequests) {
      this.core.log.warn({ load: app.load }, 'drachtio server: app has too many requests in progress');
      fail('too many requests in progress (maxPendingRequests)');
      return;
    }
    if (!dialog && (given.method === 'INVITE' || given.method === 'SUBSCRIBE')) {
      if (this.core.dialogs.size >= this.core.limits.maxDialogs) {
        fail('too many dialogs (maxDialogs)');
        return;
      }
    }
    const request = dialog ? buildInDialog(dialog, given) : completeRequest(given, this.hostPort());
    this.send(app, message.id, request, dialog, instruction.proxy);
  }

  /** The transactions in progress of an app that went away: INVITEs are cancelled. */
  abandon(app: AppConnection): void {
    for (const tx of this.outgoing.values()) {
      if (tx.app === app && !tx.final && tx.request.method === 'INVITE') tx.cancel.next({});
    }
  }

  private hostPort(): string {
    const point = this.core.engine.listeningPoints[0];
    return point ? hostPort(point.advertised.host, point.advertised.port) : '127.0.0.1';
  }

  // drachtio-server sends a request in a dialog when its identity names one.
  private dialogOf(given: SipRequest): ServerDialog | undefined {
    const callId = given.get('call-id');
    if (callId === undefined || !given.has('from') || !given.has('to')) return undefined;
    const from = given.tryParsedHeader('from')?.params.tag;
    const to = given.tryParsedHeader('to')?.params.tag;
    if (typeof from !== 'string' || typeof to !== 'string') return undefined;
    return this.core.dialogs.find(callId, from, to);
  }

  private replySent(
    app: AppConnection,
    rid: string,
    sent: SipRequest,
    target: Target | undefined,
    txnId: string,
    dialogId: string,
  ): void {
    const text = sent.toString();
    app.wire.reply({
      rid,
      status: 'OK',
      values: sentValues({
        bytes: Buffer.byteLength(text),
        protocol: target?.protocol ?? 'udp',
        address: target?.address ?? '',
        port: target?.port ?? 0,
        time: wireTime(new Date(this.core.scheduler.now())),
        txnId,
        dialogId,
      }),
      sip: text,
    });
  }

  private send(
    app: AppConnection,
    rid: string,
    request: SipRequest,
    dialog: ServerDialog | undefined,
    proxy: string | undefined,
  ): void {
    const tx: OutgoingTransaction = {
      txnId: randomUUID(),
      app,
      request,
      sent: request,
      target: undefined,
      dialog,
      cancel: new Subject<HeaderInit>(),
      final: false,
      answered: new Set(),
    };
    this.outgoing.set(tx.txnId, tx);
    app.transactions.add(tx.txnId);
    let replied = false;
    const reply = () => {
      if (replied) return;
      replied = true;
      this.replySent(app, rid, tx.sent, tx.target, tx.txnId, dialog?.id ?? '');
      if (request.method === 'INVITE' && !dialog) this.core.cdr.attempt('application', tx.sent);
      if (request.method === 'BYE' && tx.dialog) {
        // The dialog is over for the server once its BYE leaves.
        this.core.dialogs.remove(tx.dialog);
        if (tx.dialog.dialogType === 'INVITE') this.core.cdr.stop('application', 'normal-release', tx.sent);
      } else if (tx.dialog?.dialogType === 'SUBSCRIBE' && endsSubscription(request)) {
        this.core.dialogs.remove(tx.dialog);
      }
    };
    tx.subscription = this.core.engine
      .send(request, {
        cancel$: tx.cancel,
        ...(proxy ? { proxy } : {}),
        ...(dialog?.flowId === undefined ? {} : { flowId: dialog.flowId }),
      })
      .subscribe({
        next: (event) => {
          if (event.kind === 'sent') {
            tx.sent = event.request;
            tx.target = event.target;
            reply();
            return;
          }
          reply();
          this.response(tx, event.response, event.failure);
        },
        error: (err: unknown) => {
          this.core.log.warn({ err, method: request.method }, 'drachtio server: request failed');
          this.release(tx);
        },
        complete: () => this.release(tx),
      });
  }

  private response(
    tx: OutgoingTransaction,
    response: SipResponse,
    failure: ClientFailure | string | undefined,
  ): void {
    const { method } = tx.request;
    const status = response.status;
    // A 100 Trying is hop by hop (RFC 3261 §16.7): it stops retransmissions, and goes no further.
    if (status === 100) return;
    let dialogId = tx.dialog?.id ?? '';
    if (status >= 200 && status < 300 && !failure && (method === 'INVITE' || method === 'SUBSCRIBE')) {
      const tag = response.toTag ?? '';
      if (tx.answered.has(tag)) {
        // RFC 3261 §13.2.2.4: a retransmitted 2xx means our ACK was lost: it is sent again.
        const made = this.core.dialogs.find(response.callId, response.fromTag ?? '', tag);
        if (made?.lastAck) this.core.engine.sendAck(made.lastAck.clone(), { flowId: made.flowId });
        return;
      }
      tx.answered.add(tag);
      if (tx.final && !tx.dialog && method === 'INVITE') {
        this.unwanted(tx, response);
        return;
      }
      if (!tx.dialog) dialogId = this.dialogMade(tx, response).id;
    }
    if (tx.dialog && status >= 200 && status < 300 && TARGET_REFRESH.has(method)) {
      const target = contactOf(response);
      if (target) tx.dialog.route.remoteTarget = target;
    }
    // RFC 3261 §12.2.1.2: a 481 or 408 to a request in a dialog ends it.
    if (tx.dialog && (status === 481 || status === 408)) this.core.dialogs.remove(tx.dialog);
    if (method === 'INVITE' && !tx.dialog && status >= 300)
      this.core.cdr.stop('network', status === 487 ? 'call-canceled' : 'call-rejected', response);
    if (status >= 200) {
      if (tx.final) return;
      tx.final = true;
      tx.app.transactions.delete(tx.txnId);
      this.released(tx.app);
    }
    if (tx.app.wire.closed) return;
    const text = response.toString();
    const meta = {
      source: 'network' as const,
      bytes: Buffer.byteLength(text),
      protocol: tx.target?.protocol ?? 'udp',
      address: tx.target?.address ?? '',
      port: tx.target?.port ?? 0,
      time: wireTime(new Date(this.core.scheduler.now())),
      txnId: tx.txnId,
      dialogId,
    };
    tx.app.wire.send('sip', sipMetaArgs(meta), text);
  }

  private dialogMade(tx: OutgoingTransaction, response: SipResponse): ServerDialog {
    const sent = tx.sent;
    const dialogType = sent.method === 'SUBSCRIBE' ? 'SUBSCRIBE' : 'INVITE';
    const dialog = this.core.dialogs.add({
      type: 'uac',
      dialogType,
      route: uacDialogRoute(sent, response),
      localCseq: sent.cseq.seq,
      inviteCseq: sent.cseq.seq,
      localContact: sent.get('contact') ?? '',
      owner: tx.app,
    });
    if (dialogType === 'INVITE') this.core.cdr.start('network', 'uac', response);
    return dialog;
  }

  // RFC 3261 §13.2.2.4: a 2xx from a second fork is ACKed and the dialog it made ended with BYE.
  private unwanted(tx: OutgoingTransaction, response: SipResponse): void {
    const ack = ackFor2xx(tx.sent, response);
    this.core.engine.sendAck(ack);
    const bye = inDialogRequest(uacDialogRoute(tx.sent, response), 'BYE', tx.sent.cseq.seq + 1);
    this.core.engine.send(bye).subscribe({ error: () => undefined });
  }

  private cancel(app: AppConnection, message: WireMessage, txnId: string, given: SipRequest): void {
    const tx = this.outgoing.get(txnId);
    if (!tx || tx.app !== app || tx.request.method !== 'INVITE') {
      app.wire.reply({ rid: message.id, status: 'NOK', values: [`unknown transaction ${txnId}`] });
      return;
    }
    const headers = headersOf(given, IN_DIALOG_OWN);
    tx.cancel.next(headers);
    this.replySent(app, message.id, cancelOf(tx.sent, headers), tx.target, randomUUID(), '');
  }

  private release(tx: OutgoingTransaction): void {
    if (this.outgoing.get(tx.txnId) !== tx) return;
    this.outgoing.delete(tx.txnId);
    if (tx.app.transactions.delete(tx.txnId)) this.released(tx.app);
  }
}
