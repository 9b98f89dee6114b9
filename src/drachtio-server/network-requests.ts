import { randomUUID } from 'node:crypto';
import { sipMetaArgs } from '../drachtio-wire/sip-meta.js';
import type { InboundRequest } from '../engine/engine.js';
import { forwardRouted } from '../proxy/route-forwarding.js';
import { createResponse } from '../sip/build.js';
import { newTag } from '../sip/ids.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { AppConnection } from './app-connection.js';
import type { IncomingTransaction, ServerCore } from './server-core.js';
import type { ServerDialog } from './server-dialogs.js';
import { networkMeta } from './wire-sip.js';

/**
 * Whether a request ends a SUBSCRIBE dialog: a NOTIFY saying terminated, or a SUBSCRIBE with
 * Expires 0 (RFC 6665 §4.1.2.3, §4.2.2).
 */
export function endsSubscription(request: SipRequest): boolean {
  if (request.method === 'NOTIFY') return /^\s*terminated/i.test(request.get('subscription-state') ?? '');
  return request.method === 'SUBSCRIBE' && request.get('expires')?.trim() === '0';
}

/** Finds an app for a new request nobody routes: dials a listening app (outbound mode). */
export type AppDialer = (inbound: InboundRequest) => Promise<AppConnection | undefined>;

/**
 * Requests from the SIP side, handed to apps as drachtio-server does: a new request to an app
 * routing its method (round robin; 503 when none), an in-dialog request or ACK to the app owning
 * the dialog (481 for an unknown dialog, RFC 3261 §12.2.2), a CANCEL to the app of its INVITE,
 * and requests our Record-Route brought back forwarded without any app (RFC 3261 §16.4).
 */
export class NetworkRequests {
  /**
   * @param core - what the server's parts share
   * @param dial - dials a listening app for a request no connected app routes
   * @param released - an app's transaction ended
   */
  constructor(
    private readonly core: ServerCore,
    private readonly dial: AppDialer | undefined,
    private readonly released: (app: AppConnection) => void,
  ) {}

  /** Takes one request from the engine. */
  receive(inbound: InboundRequest): void {
    const message = inbound.message;
    if (message.has('route') && forwardRouted(this.core.ua, inbound)) return;
    if (message.method === 'ACK') this.ack(inbound);
    else if (message.toTag !== undefined) this.inDialog(inbound);
    else this.newRequest(inbound);
  }

  private answer(inbound: InboundRequest, status: number, reason?: string): void {
    if (!inbound.finalSent)
      inbound.respond(createResponse(inbound.message, status, reason ? { reason } : {}));
  }

  private newRequest(inbound: InboundRequest): void {
    const method = inbound.message.method;
    if (
      (method === 'INVITE' || method === 'SUBSCRIBE') &&
      this.core.dialogs.size >= this.core.limits.maxDialogs
    ) {
      this.core.log.warn(
        { method, dialogs: this.core.dialogs.size },
        'drachtio server: maxDialogs reached: 503',
      );
      this.answer(inbound, 503);
      return;
    }
    const app = this.core.apps.pick(method);
    if (app) {
      this.hand(app, inbound, undefined);
      return;
    }
    if (!this.dial) {
      this.core.log.debug({ method }, 'drachtio server: no app routes this method: 503');
      this.answer(inbound, 503);
      return;
    }
    this.dial(inbound).then(
      (dialled) => {
        if (inbound.finalSent) return;
        if (dialled) this.hand(dialled, inbound, undefined);
        else this.answer(inbound, 503);
      },
      (err: unknown) => {
        this.core.log.warn({ err, method }, 'drachtio server: could not reach the listening app: 503');
        this.answer(inbound, 503);
      },
    );
  }

  private inDialog(inbound: InboundRequest): void {
    const message = inbound.message;
    const dialog = this.core.dialogs.find(message.callId, message.toTag ?? '', message.fromTag ?? '');
    if (!dialog || dialog.owner.wire.closed) {
      this.answer(inbound, 481);
      return;
    }
    if (message.method === 'BYE') {
      // RFC 3261 §15.1.2: the dialog is over for the server as soon as the BYE arrives.
      this.core.dialogs.remove(dialog);
      if (dialog.dialogType === 'INVITE') this.core.cdr.stop('network', 'normal-release', message);
    } else if (dialog.dialogType === 'SUBSCRIBE' && endsSubscription(message)) {
      this.core.dialogs.remove(dialog);
    }
    this.hand(dialog.owner, inbound, dialog);
  }

  private ack(inbound: InboundRequest): void {
    const message = inbound.message;
    const dialog = this.core.dialogs.find(message.callId, message.toTag ?? '', message.fromTag ?? '');
    if (!dialog) {
      this.core.log.debug({ callId: message.callId }, 'drachtio server: ACK for no dialog dropped');
      return;
    }
    // RFC 3261 §13.3.1.4: the ACK ends the 2xx retransmissions.
    dialog.answer?.acked();
    dialog.answer = undefined;
    this.send(dialog.owner, inbound, randomUUID(), dialog);
  }

  private send(
    app: AppConnection,
    inbound: InboundRequest,
    txnId: string,
    dialog: ServerDialog | undefined,
  ): void {
    const text = inbound.message.toString();
    const meta = networkMeta(inbound.source, text, this.core.scheduler, txnId, dialog?.id ?? '', !dialog);
    app.wire.send('sip', sipMetaArgs(meta), text);
  }

  private hand(app: AppConnection, inbound: InboundRequest, dialog: ServerDialog | undefined): void {
    const message = inbound.message;
    if (app.load >= this.core.limits.maxPendingRequests) {
      this.core.log.warn(
        { method: message.method, load: app.load },
        'drachtio server: app has too many requests in progress (maxPendingRequests): 503',
      );
      this.answer(inbound, 503);
      return;
    }
    const txn: IncomingTransaction = {
      txnId: randomUUID(),
      inbound,
      app,
      toTag: newTag(),
      proxied: false,
      ...(dialog ? { dialog } : {}),
    };
    this.core.incoming.set(txn.txnId, txn);
    app.transactions.add(txn.txnId);
    this.send(app, inbound, txn.txnId, dialog);
    const newInvite = message.method === 'INVITE' && !dialog;
    if (newInvite) this.core.cdr.attempt('network', message);
    inbound.cancel$.subscribe((cancel) => {
      // drachtio-srf finds the INVITE of a CANCEL by its Call-ID; the stack has answered 200 and 487.
      const text = cancel.toString();
      const meta = networkMeta(inbound.source, text, this.core.scheduler, txn.txnId, '', false);
      if (!app.wire.closed) app.wire.send('sip', sipMetaArgs(meta), text);
      if (newInvite) this.core.cdr.stop('network', 'call-canceled', cancel);
    });
    inbound.final$.subscribe({
      next: (final) => {
        if (newInvite) this.finished(txn, final);
      },
      complete: () => this.release(txn),
    });
  }

  private finished(txn: IncomingTransaction, final: SipResponse): void {
    if (final.status < 300) {
      this.core.cdr.start(txn.proxied ? 'network' : 'application', txn.proxied ? 'proxy-uas' : 'uas', final);
    } else if (!txn.inbound.canceled) {
      this.core.cdr.stop(txn.proxied ? 'network' : 'application', 'call-rejected', final);
    }
  }

  private release(txn: IncomingTransaction): void {
    this.core.incoming.delete(txn.txnId);
    txn.app.transactions.delete(txn.txnId);
    this.released(txn.app);
  }
}
