import type { Dialog } from './dialog.js';

function key(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/** Live dialogs by RFC 3261 §12 identity: Call-ID, local tag, remote tag (a Map lookup). */
export class DialogRegistry {
  private readonly dialogs = new Map<string, Dialog>();

  add(dialog: Dialog): void {
    this.dialogs.set(key(dialog.sip.callId, dialog.sip.localTag, dialog.sip.remoteTag), dialog);
  }

  remove(dialog: Dialog): void {
    const k = key(dialog.sip.callId, dialog.sip.localTag, dialog.sip.remoteTag);
    if (this.dialogs.get(k) === dialog) this.dialogs.delete(k);
  }

  /** The dialog an incoming request belongs to: its To tag is ours, its From tag the peer's. */
  find(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.dialogs.get(key(callId, localTag, remoteTag));
  }

  get size(): number {
    return this.dialogs.size;
  }

  all(): IterableIterator<Dialog> {
    return this.dialogs.values();
  }
}
