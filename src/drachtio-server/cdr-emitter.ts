import type { SchedulerLike } from 'rxjs';
import { type CdrRecord, cdrArgs } from '../drachtio-wire/cdr-message.js';
import type { MessageSource } from '../drachtio-wire/sip-meta.js';
import { wireTime } from '../drachtio-wire/wire-time.js';
import type { SipMessage } from '../sip/message.js';
import type { AppRegistry } from './app-connection.js';

/**
 * Call detail records as drachtio-server sends them, to every app that routed `cdr:<type>`:
 * `attempt` when an INVITE arrives or leaves, `start` when it is answered (role `uas`, `uac`,
 * `proxy-uas`), `stop` when the call or the attempt ends (drachtio-server's reasons).
 */
export class CdrEmitter {
  constructor(
    private readonly apps: AppRegistry,
    private readonly scheduler: SchedulerLike,
  ) {}

  attempt(source: MessageSource, msg: SipMessage): void {
    this.emit({ type: 'attempt', source, time: this.now() }, msg);
  }

  start(source: MessageSource, role: string, msg: SipMessage): void {
    this.emit({ type: 'start', source, time: this.now(), role }, msg);
  }

  stop(source: MessageSource, reason: string, msg: SipMessage): void {
    this.emit({ type: 'stop', source, time: this.now(), reason }, msg);
  }

  private now(): string {
    return wireTime(new Date(this.scheduler.now()));
  }

  private emit(record: CdrRecord, msg: SipMessage): void {
    const listeners = this.apps.routing(`cdr:${record.type}`);
    if (listeners.length === 0) return;
    const { type, args } = cdrArgs(record);
    const text = msg.toString();
    for (const app of listeners) app.wire.send(type, args, text);
  }
}
