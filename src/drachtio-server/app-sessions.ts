import type { Socket } from 'node:net';
import type { Subscription } from 'rxjs';
import { readSipInstruction } from '../drachtio-wire/sip-meta.js';
import type { WireMessage } from '../drachtio-wire/wire-message.js';
import { WireConnection } from '../engine/drachtio/wire-connection.js';
import { createResponse } from '../sip/build.js';
import { AppConnection } from './app-connection.js';
import { proxyForApp } from './app-proxy.js';
import type { AppRequests } from './app-requests.js';
import { respondForApp } from './app-responses.js';
import { endDialog } from './dialog-ends.js';
import type { ServerCore } from './server-core.js';
import { parseAppMessage } from './wire-sip.js';

/** What the server answers an app that authenticates: its SIP addresses and its version. */
export interface ServerIdentity {
  secret: string;
  /** `udp/192.0.2.1:5060,tcp/192.0.2.1:5060`: the advertised listening points. */
  hostports(): string;
  /** The bound listening points, in the same form. */
  localHostports(): string;
  /** `v0.9.0-rxsip`: drachtio-srf pings only servers at v0.8.2 or later. */
  version: string;
}

// An outbound app connection with nothing in progress is closed after this long (ms).
const IDLE_OUTBOUND_MS = 2000;

/**
 * The apps' connections, from the first message to the last: the secret checked within the
 * authentication deadline (a wrong one answered `NO|incorrect secret` and the connection
 * closed), routes taken, pings answered, `sip` and `proxy` messages handed on, unknown message
 * types logged and ignored. An app that goes away leaves no call behind: its unanswered
 * requests get 503, its INVITEs are cancelled and its dialogs ended with BYE.
 */
export class AppSessions {
  private count = 0;
  private readonly waiting = new Map<AppConnection, (authenticated: boolean) => void>();
  private readonly idle = new Map<AppConnection, Subscription>();

  constructor(
    private readonly core: ServerCore,
    private readonly requests: AppRequests,
    private readonly identity: ServerIdentity,
  ) {}

  /**
   * Takes a socket: an app connecting to the admin port, or one the server dialled. Returns the
   * app, or undefined when the connection limit refuses it (the socket is closed).
   */
  attach(socket: Socket, outbound: boolean): AppConnection | undefined {
    const { limits, log } = this.core;
    if (this.core.apps.size >= limits.maxConnections) {
      log.warn(
        { remote: socket.remoteAddress, limit: limits.maxConnections },
        'drachtio server: connection refused: maxConnections reached',
      );
      socket.destroy();
      return undefined;
    }
    const id = `app-${++this.count}`;
    const holder: { app?: AppConnection } = {};
    const wire = new WireConnection(id, socket, limits, log, {
      message: (message) => holder.app && this.message(holder.app, message),
      closed: (reason) => holder.app && this.closed(holder.app, reason),
    });
    const app = new AppConnection(wire, outbound);
    holder.app = app;
    this.core.apps.add(app);
    this.core.scheduler.schedule(() => {
      if (!app.authenticated) wire.close(`no authenticate within ${limits.authTimeoutMs} ms`, 'warn');
    }, limits.authTimeoutMs);
    log.debug({ connection: id, remote: wire.remote, outbound }, 'drachtio server: app connected');
    return app;
  }

  /** Resolves once the app has authenticated (true) or its connection closed first (false). */
  authenticated(app: AppConnection): Promise<boolean> {
    if (app.authenticated) return Promise.resolve(true);
    if (app.wire.closed) return Promise.resolve(false);
    return new Promise((resolve) => this.waiting.set(app, resolve));
  }

  /** An app's transaction or dialog ended: an outbound connection left with nothing is closed. */
  released(app: AppConnection): void {
    if (!app.outbound || app.wire.closed || this.idle.has(app)) return;
    if (app.transactions.size > 0 || app.dialogs.size > 0) return;
    this.idle.set(
      app,
      this.core.scheduler.schedule(() => {
        this.idle.delete(app);
        if (app.transactions.size === 0 && app.dialogs.size === 0) app.wire.close('call over');
      }, IDLE_OUTBOUND_MS),
    );
  }

  private message(app: AppConnection, message: WireMessage): void {
    const reply = (status: string, ...values: string[]) =>
      app.wire.reply({ rid: message.id, status, values });
    if (!app.authenticated) {
      this.authenticate(app, message);
      return;
    }
    this.idle.get(app)?.unsubscribe();
    this.idle.delete(app);
    switch (message.type) {
      case 'route':
        app.routes.add((message.args[0] ?? '').toLowerCase());
        reply('OK');
        return;
      case 'remove_route':
        app.routes.delete((message.args[0] ?? '').toLowerCase());
        reply('OK');
        return;
      case 'ping':
        reply('OK', 'pong');
        return;
      case 'sip':
        this.sip(app, message);
        return;
      case 'proxy':
        proxyForApp(this.core, app, message);
        return;
      case 'authenticate':
        reply('NO', 'already authenticated');
        return;
      case 'response':
        this.core.log.debug(
          { connection: app.wire.id, rid: message.args[0] },
          'drachtio server: reply to nothing',
        );
        return;
      default:
        this.core.log.warn(
          { connection: app.wire.id, type: message.type },
          'drachtio server: unknown message type ignored',
        );
    }
  }

  private authenticate(app: AppConnection, message: WireMessage): void {
    const { log } = this.core;
    if (message.type !== 'authenticate') {
      app.wire.reply({ rid: message.id, status: 'NO', values: ['authenticate first'] });
      app.wire.close(`"${message.type}" before authenticate`, 'warn');
      return;
    }
    const [secret = '', tags = ''] = message.args;
    if (secret !== this.identity.secret) {
      log.warn(
        { connection: app.wire.id, remote: app.wire.remote },
        'drachtio server: app sent a wrong secret',
      );
      app.wire.reply({ rid: message.id, status: 'NO', values: ['incorrect secret'] });
      app.wire.close('incorrect secret', 'warn');
      return;
    }
    app.authenticated = true;
    app.tags = tags ? tags.split(',') : [];
    app.wire.reply({
      rid: message.id,
      status: 'OK',
      values: [this.identity.hostports(), this.identity.version, this.identity.localHostports()],
    });
    log.info(
      { connection: app.wire.id, tags: app.tags, outbound: app.outbound },
      'drachtio server: app authenticated',
    );
    this.waiting.get(app)?.(true);
    this.waiting.delete(app);
  }

  private sip(app: AppConnection, message: WireMessage): void {
    const fail = (reason: string) => app.wire.reply({ rid: message.id, status: 'NOK', values: [reason] });
    if (!message.sip) {
      fail('no SIP message');
      return;
    }
    let given: ReturnType<typeof parseAppMessage>;
    try {
      given = parseAppMessage(message.sip);
    } catch (err) {
      this.core.log.warn(
        { err, connection: app.wire.id },
        'drachtio server: malformed SIP message from an app',
      );
      fail(`malformed SIP message: ${(err as Error).message}`);
      return;
    }
    if (given.type === 'response')
      respondForApp(this.core, app, message, readSipInstruction(message.args).txnId, given);
    else this.requests.handle(app, message, given);
  }

  private closed(app: AppConnection, reason: string): void {
    const core = this.core;
    core.apps.remove(app);
    this.idle.get(app)?.unsubscribe();
    this.idle.delete(app);
    this.waiting.get(app)?.(false);
    this.waiting.delete(app);
    if (!app.authenticated) return;
    core.log.info({ connection: app.wire.id, reason }, 'drachtio server: app disconnected');
    for (const txnId of [...app.transactions]) {
      const txn = core.incoming.get(txnId);
      if (txn && !txn.inbound.finalSent && !txn.proxied)
        txn.inbound.respond(createResponse(txn.inbound.message, 503));
    }
    this.requests.abandon(app);
    for (const dialog of core.dialogs.ownedBy(app)) {
      endDialog(core, dialog, {
        text: 'drachtio app connection lost',
        cdrReason: 'system-initiated-termination',
        tellApp: false,
      });
    }
  }
}
