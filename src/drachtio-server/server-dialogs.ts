import type { AnswerRetransmitter } from '../dialogs/uas-answer.js';
import type { DialogRoute } from '../sip/dialog-route.js';
import type { SipRequest } from '../sip/message.js';
import type { AppConnection } from './app-connection.js';

/** A dialog the server keeps for an app, as drachtio-server does: what in-dialog requests need. */
export interface ServerDialog {
  /** drachtio's dialog id: `<Call-ID>;from-tag=<tag of the dialog-creating request's From>`. */
  id: string;
  type: 'uas' | 'uac';
  dialogType: 'INVITE' | 'SUBSCRIBE';
  /** RFC 3261 §12: Call-ID, tags, remote target, route set. */
  route: DialogRoute;
  /** The CSeq number of our last request in it. */
  localCseq: number;
  /** The CSeq number of our last INVITE in it: its ACK carries the same (RFC 3261 §13.2.2.4). */
  inviteCseq: number;
  /** Our Contact in it. */
  localContact: string;
  /** The app it belongs to. */
  owner: AppConnection;
  /** The connection its requests go over while open (a TCP/TLS peer that connected to us). */
  flowId?: string;
  /** UAS: our 2xx to an INVITE, resent until its ACK. */
  answer?: AnswerRetransmitter;
  /** UAC: the ACK of our INVITE's 2xx, resent when the 2xx is (our ACK was lost). */
  lastAck?: SipRequest;
}

function key(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/** The server's dialogs, by drachtio id and by RFC 3261 identity. */
export class ServerDialogs {
  private readonly byId = new Map<string, ServerDialog>();
  private readonly byKey = new Map<string, ServerDialog>();

  /** @param removed - told of each dialog removed (its app may now be idle) */
  constructor(private readonly removed: (dialog: ServerDialog) => void = () => undefined) {}

  /** Adds a dialog, giving it its drachtio id (made unique if a dialog has it already). */
  add(dialog: Omit<ServerDialog, 'id'>): ServerDialog {
    const route = dialog.route;
    const fromTag = dialog.type === 'uac' ? route.localTag : route.remoteTag;
    const base = `${route.callId};from-tag=${fromTag}`;
    let id = base;
    // Both legs of a call through the server itself share Call-ID and From tag.
    for (let n = 2; this.byId.has(id); n++) id = `${base};leg=${n}`;
    const made: ServerDialog = Object.assign({}, dialog, { id });
    this.byId.set(id, made);
    this.byKey.set(key(route.callId, route.localTag, route.remoteTag), made);
    dialog.owner.dialogs.add(id);
    return made;
  }

  get(id: string): ServerDialog | undefined {
    return this.byId.get(id);
  }

  /** The dialog of a request: its To tag is ours, its From tag the peer's (RFC 3261 §12.2.2). */
  find(callId: string, localTag: string, remoteTag: string): ServerDialog | undefined {
    return this.byKey.get(key(callId, localTag, remoteTag));
  }

  remove(dialog: ServerDialog): void {
    if (this.byId.get(dialog.id) !== dialog) return;
    this.byId.delete(dialog.id);
    this.byKey.delete(key(dialog.route.callId, dialog.route.localTag, dialog.route.remoteTag));
    dialog.owner.dialogs.delete(dialog.id);
    dialog.answer?.acked();
    this.removed(dialog);
  }

  get size(): number {
    return this.byId.size;
  }

  /** The dialogs an app owns. */
  ownedBy(app: AppConnection): ServerDialog[] {
    return [...app.dialogs].flatMap((id) => this.byId.get(id) ?? []);
  }

  all(): ServerDialog[] {
    return [...this.byId.values()];
  }
}
