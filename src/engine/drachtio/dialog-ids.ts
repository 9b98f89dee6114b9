import type { SipRequest, SipResponse } from '../../sip/message.js';

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

const DIALOG_METHODS = new Set(['INVITE', 'SUBSCRIBE']);

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

  /**
   * A request the server sent inside a dialog (its To tag ours): the dialog's id, again.
   *
   * @param message - the request
   * @param dialogId - the server's dialog id
   * @param link - the connection it came on
   */
  receivedIn(message: SipRequest, dialogId: string, link: string): void {
    if (!message.has('to') || !message.toTag) return;
    this.record({
      callId: message.callId,
      localTag: message.toTag,
      remoteTag: message.fromTag ?? '',
      dialogId,
      link,
    });
  }

  /**
   * Our 2xx to a request the server sent made a dialog: its id, for the requests and ACKs the
   * dialog layer sends in it.
   *
   * @param request - the request answered
   * @param response - our response
   * @param dialogId - the server's dialog id
   * @param link - the connection
   */
  answered(request: SipRequest, response: SipResponse, dialogId: string, link: string): void {
    if (response.status >= 300 || !response.toTag) return;
    this.record({
      callId: request.callId,
      localTag: response.toTag,
      remoteTag: request.fromTag ?? '',
      dialogId,
      link,
    });
  }

  /**
   * A response to a request we sent: the dialog a 2xx to INVITE or SUBSCRIBE makes, or the end
   * of the dialog a BYE, a 481 or a 408 ends (RFC 3261 §12.2.1.2).
   *
   * @param request - our request
   * @param response - the response
   * @param dialogId - the server's dialog id, if it gave one
   * @param link - the connection
   */
  responded(request: SipRequest, response: SipResponse, dialogId: string | undefined, link: string): void {
    const status = response.status;
    const localTag = request.fromTag ?? '';
    const remoteTag = response.toTag ?? '';
    if (status >= 200 && status < 300 && dialogId && DIALOG_METHODS.has(request.method) && remoteTag)
      this.record({ callId: request.callId, localTag, remoteTag, dialogId, link });
    if ((request.method === 'BYE' && status >= 200) || status === 481 || status === 408)
      this.forget(request.callId, localTag, remoteTag || (request.toTag ?? ''));
  }

  get size(): number {
    return this.byKey.size;
  }
}
