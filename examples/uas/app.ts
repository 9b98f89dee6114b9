// The UAS example's call flow, over any Srf: answers every INVITE with 200 and an SDP, and
// logs each dialog's life. index.ts runs it on sockets; test/examples/uas.test.ts in virtual time.
import type { Logger } from 'pino';
import { mergeMap, type Subscription } from 'rxjs';
import { type Srf, uas$ } from '../../src/index.js';
import { endAfter } from '../max-duration.js';

export interface UasAppOptions {
  /** The address and RTP port in the SDP answer. */
  mediaIp: string;
  mediaPort: number;
  log: Logger;
  /** End each call with BYE after this many seconds (`--max-duration`). */
  maxDuration?: number;
  /** Ask callers for an RFC 4028 session timer of this many seconds (`--session-expires`). */
  sessionExpires?: number;
}

/** The SDP answer of the `session`-th call. */
export function answerSdp(options: Pick<UasAppOptions, 'mediaIp' | 'mediaPort'>, session: number): string {
  return [
    'v=0',
    `o=rxsip ${session} ${session} IN IP4 ${options.mediaIp}`,
    's=rxsip',
    `c=IN IP4 ${options.mediaIp}`,
    't=0 0',
    `m=audio ${options.mediaPort} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** Answers every INVITE the Srf receives; unsubscribing stops taking calls. */
export function uasApp(srf: Srf, options: UasAppOptions): Subscription {
  const { log } = options;
  let session = 1;
  // A call that ends before it is answered (cancelled, refused) emits nothing: the pipeline goes on.
  return srf.invite$
    .pipe(
      mergeMap((call) =>
        uas$(call, {
          localSdp: answerSdp(options, session++),
          sessionTimer: options.sessionExpires ? { expires: options.sessionExpires } : undefined,
        }),
      ),
    )
    .subscribe((dialog) => {
      const call = log.child({ callId: dialog.sip.callId });
      call.info({ from: dialog.remote.uri }, 'dialog established');
      dialog.hold$.subscribe(() => call.info('put on hold'));
      dialog.unhold$.subscribe(() => call.info('taken off hold'));
      dialog.info$.subscribe(({ req, res }) => {
        call.info({ contentType: req.get('content-type'), body: req.body }, 'INFO');
        res.send(200);
      });
      dialog.ended$.subscribe((end) => call.info({ reason: end.reason, by: end.initiator }, 'dialog ended'));
      endAfter(dialog, options.maxDuration, call);
    });
}
