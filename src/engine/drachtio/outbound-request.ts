import { Observable, type Subscription } from 'rxjs';
import { readSentValues, type SipMeta, sipInstructionArgs } from '../../drachtio-wire/sip-meta.js';
import { createResponse } from '../../sip/build.js';
import { type HeaderInit, SipRequest, type SipResponse } from '../../sip/message.js';
import { parseMessage } from '../../sip/parser.js';
import { PROTOCOLS, type Protocol } from '../../transport/types.js';
import type { OutboundEvent, SendOptions } from '../engine.js';
import type { DialogLink } from './dialog-ids.js';
import type { ServerLink } from './server-link.js';

/** What sending a request over a drachtio connection needs of the engine. */
export interface OutboundContext {
  /** The connection and the dialog a request goes out on (undefined: no connection at all). */
  route(
    request: SipRequest,
    options: SendOptions | undefined,
  ): { link: ServerLink; dialog?: DialogLink } | undefined;
  /** Waits for the responses of a transaction; returns what stops waiting. */
  expect(link: ServerLink, txnId: string, handlers: ResponseHandlers): () => void;
  /** A response arrived in a dialog or made one: its dialog id is kept or dropped. */
  responded(request: SipRequest, response: SipResponse, meta: SipMeta, link: ServerLink): void;
}

/** What a transaction in progress is told. */
export interface ResponseHandlers {
  response(response: SipResponse, meta: SipMeta): void;
  /** The connection closed before the final response. */
  lost(reason: string): void;
}

function protocolOf(text: string): Protocol {
  return (PROTOCOLS as readonly string[]).includes(text) ? (text as Protocol) : 'udp';
}

/** The CANCEL drachtio-srf sends for an INVITE: its Request-URI, and the headers to add. */
function cancelText(invite: SipRequest, headers: HeaderInit): string {
  const cancel = new SipRequest('CANCEL', invite.uri, []);
  cancel.set(headers);
  return cancel.toString();
}

/**
 * A request sent through a drachtio-server (cold): `sip||<dialogId>[|<proxy>]` with the whole
 * request; the reply gives the transaction id and the request as sent (`sent`); each `sip`
 * response of the transaction follows; a NOK is a response the engine makes (481 when the
 * server knows no such dialog, 503 otherwise), as is a lost connection (503). Unsubscribing
 * before the final response cancels an INVITE (`sip|<txnId>|` CANCEL), as `cancel$` does.
 */
export function sendOverLink(
  context: OutboundContext,
  request: SipRequest,
  options: SendOptions | undefined,
): Observable<OutboundEvent> {
  return new Observable<OutboundEvent>((subscriber) => {
    let finalSeen = false;
    let txnId: string | undefined;
    let pendingCancel: HeaderInit | undefined;
    let stop: (() => void) | undefined;
    let cancels: Subscription | undefined;
    const fail = (status: number, reason: string) => {
      if (finalSeen) return;
      finalSeen = true;
      stop?.();
      subscriber.next({
        kind: 'response',
        response: createResponse(request, status, { reason }),
        failure: 'transport-error',
      });
      subscriber.complete();
    };
    const routed = context.route(request, options);
    if (!routed) {
      fail(503, 'No drachtio-server connection');
      return undefined;
    }
    const { link, dialog } = routed;
    const sendCancel = (headers: HeaderInit) => {
      if (txnId === undefined) pendingCancel = headers;
      else link.wire.send('sip', [txnId, ''], cancelText(request, headers));
    };
    const args = sipInstructionArgs({
      txnId: '',
      dialogId: dialog?.dialogId ?? '',
      ...(options?.proxy && !dialog ? { proxy: options.proxy } : {}),
    });
    const sent = link.wire.request('sip', args, request.toString(), (reply) => {
      if (subscriber.closed && request.method !== 'INVITE') return false;
      if (reply.status !== 'OK') {
        const text = reply.values[0] ?? 'request failed';
        fail(/unable to find dialog/i.test(text) ? 481 : 503, `drachtio-server: ${text}`);
        return false;
      }
      const meta = readSentValues(reply.values);
      txnId = meta.txnId;
      let echoed = request;
      try {
        if (reply.sip) echoed = parseMessage(reply.sip) as SipRequest;
      } catch {
        // the request as we wrote it stands for the one sent
      }
      stop = context.expect(link, meta.txnId, {
        response: (response, responseMeta) => {
          context.responded(echoed, response, responseMeta, link);
          if (finalSeen) return;
          if (response.status >= 200) {
            finalSeen = true;
            stop?.();
          }
          if (!subscriber.closed) {
            subscriber.next({ kind: 'response', response });
            if (finalSeen) subscriber.complete();
          }
        },
        lost: (reason) => fail(503, `drachtio-server connection lost: ${reason}`),
      });
      if (!subscriber.closed)
        subscriber.next({
          kind: 'sent',
          request: echoed,
          target: { protocol: protocolOf(meta.protocol), address: meta.address, port: meta.port },
        });
      if (pendingCancel) sendCancel(pendingCancel);
      return false;
    });
    if (sent === undefined) {
      fail(
        503,
        link.wire.closed
          ? 'drachtio-server connection lost'
          : 'too many requests in progress (maxPendingRequests)',
      );
      return undefined;
    }
    if (options?.cancel$) cancels = options.cancel$.subscribe((headers) => sendCancel(headers));
    return () => {
      cancels?.unsubscribe();
      if (finalSeen) return;
      if (request.method === 'INVITE') sendCancel({});
      else {
        stop?.();
        link.wire.forget(sent);
      }
    };
  });
}
