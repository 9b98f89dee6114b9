import { sipMetaArgs } from '../drachtio-wire/sip-meta.js';
import { wireTime } from '../drachtio-wire/wire-time.js';
import { inDialogRequest } from '../sip/dialog-route.js';
import type { ServerCore } from './server-core.js';
import type { ServerDialog } from './server-dialogs.js';

/** Why the server itself ends a dialog. */
export interface DialogEnding {
  /** The text of the BYE's Reason header, and of the destroy reason the app sees. */
  text: string;
  /** The CDR stop reason. */
  cdrReason: string;
  /** Hand the BYE to the app as drachtio-server does (`unsolicited`, from `application`). */
  tellApp: boolean;
}

/**
 * The server ends a dialog on its own (no ACK came, its app went away): BYE to the peer with a
 * Reason (RFC 3326), the CDR stop, and, when asked, the BYE handed to the app so that its dialog
 * ends with that reason.
 */
export function endDialog(core: ServerCore, dialog: ServerDialog, ending: DialogEnding): void {
  core.dialogs.remove(dialog);
  if (dialog.dialogType !== 'INVITE') return;
  dialog.localCseq += 1;
  const bye = inDialogRequest(dialog.route, 'BYE', dialog.localCseq, {
    headers: { Reason: `SIP;text="${ending.text}"` },
  });
  core.engine.send(bye, { flowId: dialog.flowId }).subscribe({
    error: (err: unknown) => core.log.warn({ err, dialog: dialog.id }, 'drachtio server: BYE failed'),
  });
  core.log.info({ dialog: dialog.id, reason: ending.text }, 'drachtio server: ended a dialog');
  core.cdr.stop('application', ending.cdrReason, bye);
  if (!ending.tellApp || dialog.owner.wire.closed) return;
  const text = bye.toString();
  const meta = {
    source: 'application' as const,
    bytes: Buffer.byteLength(text),
    protocol: 'udp',
    address: '',
    port: 0,
    time: wireTime(new Date(core.scheduler.now())),
    txnId: 'unsolicited',
    dialogId: dialog.id,
  };
  dialog.owner.wire.send('sip', sipMetaArgs(meta), text);
}
