import type { InboundRequest } from '../engine/engine.js';

/** What the registry needs of a dialog: its RFC 3261 §12 identity and a way in for its requests. */
export interface RoutableDialog {
  readonly sip: { readonly callId: string; readonly localTag: string; readonly remoteTag: string };
  /** An in-dialog request or ACK for this dialog. */
  receive(inbound: InboundRequest): void;
  /** Ends the dialog without signalling (the stack is shutting down). */
  shutDown(): void;
}

function key(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/** Live dialogs by RFC 3261 §12 identity: Call-ID, local tag, remote tag (a Map lookup). */
export class DialogRegistry<D extends RoutableDialog = RoutableDialog> {
  private readonly dialogs = new Map<string, D>();

  /** Adds a dialog under its identity. */
  add(dialog: D): void {
    this.dialogs.set(key(dialog.sip.callId, dialog.sip.localTag, dialog.sip.remoteTag), dialog);
  }

  /** Removes a dialog (only that one: a newer dialog under the same identity stays). */
  remove(dialog: D): void {
    const k = key(dialog.sip.callId, dialog.sip.localTag, dialog.sip.remoteTag);
    if (this.dialogs.get(k) === dialog) this.dialogs.delete(k);
  }

  /** The dialog an incoming request belongs to: its To tag is ours, its From tag the peer's. */
  find(callId: string, localTag: string, remoteTag: string): D | undefined {
    return this.dialogs.get(key(callId, localTag, remoteTag));
  }

  /** How many dialogs are alive. */
  get size(): number {
    return this.dialogs.size;
  }

  /** Every live dialog. */
  all(): IterableIterator<D> {
    return this.dialogs.values();
  }
}
