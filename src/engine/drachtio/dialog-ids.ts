/** A dialog as the attached engine knows it: the drachtio dialog id and the connection it is on. */
export interface DialogLink {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** drachtio-server's id, which requests and ACKs in the dialog name. */
  dialogId: string;
  /** The connection (flow id) the dialog belongs to. */
  link: string;
}

function key(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/**
 * drachtio dialog ids by RFC 3261 dialog identity, so that an ACK or a request the dialog layer
 * builds goes out naming its dialog, on its connection. Bounded: beyond `max` the oldest is
 * forgotten (a request in it then goes out without a dialog id, and the server finds the dialog
 * by its identity).
 */
export class DialogIds {
  private readonly byKey = new Map<string, DialogLink>();

  /** @param max - dialogs kept at most */
  constructor(private readonly max: number) {}

  /** Records a dialog (again: its id and connection are updated). */
  record(dialog: DialogLink): void {
    const k = key(dialog.callId, dialog.localTag, dialog.remoteTag);
    this.byKey.delete(k);
    this.byKey.set(k, dialog);
    if (this.byKey.size > this.max) {
      const oldest = this.byKey.keys().next().value;
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
  }

  find(callId: string, localTag: string, remoteTag: string): DialogLink | undefined {
    return this.byKey.get(key(callId, localTag, remoteTag));
  }

  forget(callId: string, localTag: string, remoteTag: string): void {
    this.byKey.delete(key(callId, localTag, remoteTag));
  }

  /** Forgets and returns every dialog of a connection. */
  takeLink(link: string): DialogLink[] {
    const taken: DialogLink[] = [];
    for (const [k, d] of this.byKey) {
      if (d.link !== link) continue;
      taken.push(d);
      this.byKey.delete(k);
    }
    return taken;
  }

  get size(): number {
    return this.byKey.size;
  }
}
