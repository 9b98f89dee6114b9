import { randomUUID } from 'node:crypto';
import type { Dialog as RxDialog } from '../dialogs/dialog.js';
import type { SipMessage } from '../sip/message.js';
import { parseUri } from './uri.js';

/** A dialog's state as drachtio-srf reports it to a `dialogStateEmitter` (RFC 4235 §3.7.1). */
export interface DialogStateEvent {
  /** An id of this report's dialog, the same for each of its changes. */
  id: string;
  /** `trying`, `proceeding`, `early`, `confirmed`, `terminated`, `rejected` or `cancelled`. */
  state: string;
  /** `initiator` for a call we answer (drachtio-srf's naming), `recipient` for one we place. */
  direction: 'initiator' | 'recipient';
  /** `user@host` of the other party's address of record. */
  aor: string;
  /** The Call-ID. */
  callId: string;
  /** Our tag, once known. */
  localTag?: string;
  /** The far end's tag, once known. */
  remoteTag?: string;
}

/** What drachtio-srf's `dialogStateEmitter` option takes: any EventEmitter. */
export interface DialogStateEmitter {
  /** Emits `stateChange` with the dialog's state. */
  emit(event: 'stateChange', state: DialogStateEvent): boolean;
  /** How many listeners `stateChange` has: nothing is reported without one, as in drachtio-srf. */
  listenerCount(event: 'stateChange'): number;
}

/** The option of createUAS, createUAC and createB2BUA that asks for dialog-state reports. */
export interface DialogStateOptions {
  /** Gets `stateChange` events through the call's life (RFC 4235), as drachtio-srf sends them. */
  dialogStateEmitter?: DialogStateEmitter;
}

/**
 * Reports one call's RFC 4235 states to an application's emitter, in drachtio-srf's shape:
 * one object, updated and emitted again at each change, up to `terminated` when the dialog ends.
 */
export class DialogStateReport {
  private readonly state: DialogStateEvent;

  private constructor(
    private readonly emitter: DialogStateEmitter,
    state: DialogStateEvent,
  ) {
    this.state = state;
    emitter.emit('stateChange', state);
  }

  /**
   * Starts a report in state `trying`, when the option asks for one and someone listens.
   *
   * @param options - the call's options
   * @param message - the INVITE (received, or as sent)
   * @param direction - `initiator` for a call we answer, `recipient` for one we place
   * @returns the report, or undefined
   */
  static start(
    options: DialogStateOptions | undefined,
    message: SipMessage,
    direction: DialogStateEvent['direction'],
  ): DialogStateReport | undefined {
    const emitter = options?.dialogStateEmitter;
    if (!emitter || emitter.listenerCount('stateChange') === 0) return undefined;
    const party = direction === 'initiator' ? message.tryParsedHeader('from') : message.tryParsedHeader('to');
    const uri = parseUri(party?.uri);
    const aor = uri && uri.scheme !== 'tel' ? `${uri.user ?? 'unknown'}@${uri.host}` : 'unknown@unknown';
    const fromTag = message.fromTag;
    return new DialogStateReport(emitter, {
      id: randomUUID(),
      state: 'trying',
      direction,
      aor,
      callId: message.get('call-id') ?? '',
      ...(direction === 'initiator' ? { remoteTag: fromTag } : { localTag: fromTag }),
    });
  }

  /**
   * Moves to a state and emits it.
   *
   * @param state - the new state
   * @param tags - tags learnt with it
   */
  to(state: string, tags: { localTag?: string; remoteTag?: string } = {}): void {
    Object.assign(this.state, { state }, tags);
    this.emitter.emit('stateChange', this.state);
  }

  /**
   * A provisional response to a call we placed: `early` once it has a To tag, else `proceeding`.
   *
   * @param response - the 1xx
   */
  provisional(response: SipMessage): void {
    if (this.state.state === 'early') return;
    const tag = response.toTag;
    if (tag) this.to('early', { remoteTag: tag });
    else if (this.state.state === 'trying') this.to('proceeding');
  }

  /**
   * The call is up: `confirmed`, then `terminated` when the dialog ends.
   *
   * @param dialog - the dialog
   */
  confirmed(dialog: RxDialog): void {
    this.to('confirmed', { localTag: dialog.sip.localTag, remoteTag: dialog.sip.remoteTag });
    dialog.ended$.subscribe(() => this.to('terminated'));
  }

  /**
   * The call failed: `cancelled` for a 487 (or a CANCEL), else `rejected`.
   *
   * @param status - the final status
   */
  failed(status: number | undefined): void {
    this.to(status === 487 ? 'cancelled' : 'rejected');
  }
}
