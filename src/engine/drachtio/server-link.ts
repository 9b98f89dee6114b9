import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { SchedulerLike, Subscription } from 'rxjs';
import { type CdrRecord, readCdr } from '../../drachtio-wire/cdr-message.js';
import { type HostPort, parseHostPorts } from '../../drachtio-wire/hostports.js';
import { readSipMeta, type SipMeta } from '../../drachtio-wire/sip-meta.js';
import type { WireMessage } from '../../drachtio-wire/wire-message.js';
import type { SipRequest, SipResponse } from '../../sip/message.js';
import { parseMessage } from '../../sip/parser.js';
import { WireConnection, type WireLimits } from './wire-connection.js';

/**
 * A drachtio-server refused the secret (`NO|incorrect secret`): `srf.connect` rejects with it,
 * and `connection$` reports it as an `error`.
 *
 * @example
 * ```ts
 * srf.connect({ host: '127.0.0.1', secret: 'wrong' }).catch((err) => {
 *   if (err instanceof DrachtioAuthError) console.error(`check the secret of ${err.server}`);
 * });
 * ```
 */
export class DrachtioAuthError extends Error {
  /**
   * @param server - which server (`host:port`)
   * @param answer - what it said
   */
  constructor(
    /** Which server refused: `host:port`. */
    readonly server: string,
    answer: string,
  ) {
    super(`drachtio-server ${server} refused the secret: ${answer || 'NO'}`);
    this.name = 'DrachtioAuthError';
  }
}

/** What a link tells the engine. */
export interface LinkEvents {
  /** A SIP message from the server, with its meta. */
  sip(link: ServerLink, meta: SipMeta, message: SipRequest | SipResponse): void;
  /** A call detail record. */
  cdr(link: ServerLink, record: CdrRecord, message: SipRequest | SipResponse): void;
  /** The connection closed (after it was ready, or while authenticating). */
  closed(link: ServerLink, reason: string): void;
}

/**
 * One connection to a drachtio-server, dialled or accepted: authenticated with the secret and
 * tags, its methods routed, pinged (a ping left without reply until the next one closes it: a
 * dead connection is found, which drachtio-srf does not do), and its messages handed to the
 * engine. Unknown message types and unreadable SIP messages are logged and dropped.
 */
export class ServerLink {
  /** The server's listening points, from the `authenticate` reply. */
  points: HostPort[] = [];
  /** The server's version, from the `authenticate` reply. */
  version = '';
  /** True once authenticated. */
  ready = false;
  readonly wire: WireConnection;
  /** Resolves with the reason once the connection has closed. */
  readonly gone: Promise<string>;
  private ping: Subscription | undefined;
  private pingOutstanding = false;

  /**
   * @param id - the flow id of everything on this connection (`drachtio:<n>`)
   * @param server - the server's address, for events and logs
   */
  constructor(
    readonly id: string,
    readonly server: string,
    socket: Socket,
    limits: WireLimits,
    private readonly log: Logger,
    private readonly scheduler: SchedulerLike,
    private readonly events: LinkEvents,
  ) {
    let gone: (reason: string) => void = () => undefined;
    this.gone = new Promise((resolve) => {
      gone = resolve;
    });
    this.wire = new WireConnection(id, socket, limits, log, {
      message: (message) => this.message(message),
      closed: (reason) => {
        this.ping?.unsubscribe();
        this.events.closed(this, reason);
        gone(reason);
      },
    });
  }

  /**
   * Sends `authenticate`; resolves once the server accepted, rejects with {@link DrachtioAuthError}
   * or the close. `ready` runs as the reply is read, before any message the server sent after it.
   */
  authenticate(secret: string, tags: readonly string[], ready: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const sent = this.wire.request('authenticate', [secret, tags.join(',')], undefined, (reply) => {
        if (reply.status !== 'OK') {
          const error = /^connection closed/.test(reply.values[0] ?? '')
            ? new Error(`drachtio-server ${this.server}: ${reply.values[0]}`)
            : new DrachtioAuthError(this.server, reply.values.join('|'));
          this.wire.close(error.message, 'warn');
          reject(error);
          return false;
        }
        this.points = parseHostPorts(reply.values[0] ?? '');
        this.version = reply.values[1] ?? '';
        this.ready = true;
        ready();
        resolve();
        return false;
      });
      if (sent === undefined) reject(new Error(`drachtio-server ${this.server}: connection closed`));
    });
  }

  /** Asks for new requests of these verbs (`invite`, `cdr:stop`). */
  route(verbs: readonly string[]): void {
    for (const verb of verbs) {
      this.wire.request('route', [verb], undefined, (reply) => {
        if (reply.status !== 'OK')
          this.log.warn({ server: this.server, verb, reply: reply.values }, 'drachtio: route refused');
        return false;
      });
    }
  }

  /** Pings every `interval` ms; a ping still unanswered at the next one closes the connection. */
  startPings(interval: number): void {
    if (interval <= 0) return;
    const tick = (): void => {
      if (this.wire.closed) return;
      if (this.pingOutstanding) {
        this.wire.close(`no reply to ping within ${interval} ms`, 'warn');
        return;
      }
      this.pingOutstanding = true;
      this.wire.request('ping', [], undefined, () => {
        this.pingOutstanding = false;
        return false;
      });
      this.ping = this.scheduler.schedule(tick, interval);
    };
    this.ping = this.scheduler.schedule(tick, interval);
  }

  private parse(message: WireMessage): SipRequest | SipResponse | undefined {
    try {
      return parseMessage(message.sip ?? '');
    } catch (err) {
      this.log.warn(
        { err, server: this.server, type: message.type },
        'drachtio: unreadable SIP message dropped',
      );
      return undefined;
    }
  }

  private message(message: WireMessage): void {
    if (message.type === 'sip') {
      const meta = readSipMeta(message.args);
      const sip = meta ? this.parse(message) : undefined;
      if (!meta)
        this.log.warn(
          { server: this.server, args: message.args },
          'drachtio: sip message without meta dropped',
        );
      if (meta && sip) this.events.sip(this, meta, sip);
      return;
    }
    const record = readCdr(message.type, message.args);
    if (record) {
      const sip = this.parse(message);
      if (sip) this.events.cdr(this, record, sip);
      return;
    }
    if (message.type === 'response') {
      this.log.debug({ server: this.server, rid: message.args[0] }, 'drachtio: a reply nobody waits for');
      return;
    }
    this.log.warn({ server: this.server, type: message.type }, 'drachtio: unknown message type ignored');
  }
}
