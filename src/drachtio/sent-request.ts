import { EventEmitter } from 'node:events';
import { share } from 'rxjs';
import type { Engine } from '../engine/engine.js';
import { withDigestAuth } from '../requests/digest-client.js';
import { buildRequest, type RequestOptions } from '../requests/out-of-dialog-request.js';
import { ackFor2xx } from '../sip/ack-for-2xx.js';
import type { SipRequest, SipResponse } from '../sip/message.js';

/** Sends the ACK of a 2xx to an INVITE sent with `srf.request`, with an answer in it if given. */
export type AckFunction = (options?: { body?: string; headers?: Record<string, string> }) => void;

/** The events of a request the application sent. */
export interface SentRequestEvents {
  /** Each response; `ack` is given for a 2xx to an INVITE. */
  response: [SipResponse, AckFunction | undefined];
}

/**
 * drachtio-srf's view of a request it sent: the request as it went out, its `response` event
 * for every response (with an `ack` function for a 2xx to an INVITE), and `cancel()`.
 *
 * @example
 * ```ts
 * const req = await srf.request('sip:192.0.2.4', { method: 'OPTIONS' });
 * req.on('response', (res) => console.log(res.status));
 * ```
 */
export class SentRequest extends EventEmitter<SentRequestEvents> {
  /**
   * @param message - the request as sent, with our Via
   * @param canceller - sends CANCEL
   * @param final - the final response, when it comes
   */
  constructor(
    /** The request as it went out, with our Via. */
    readonly message: SipRequest,
    private readonly canceller: () => void,
    /** Resolves with the final response. */
    readonly final: Promise<SipResponse>,
  ) {
    super();
  }

  /** The method. */
  get method(): string {
    return this.message.method;
  }

  /** The Request-URI. */
  get uri(): string {
    return this.message.uri;
  }

  /**
   * A header of the request as sent.
   *
   * @param name - the header name
   * @returns its value
   */
  get(name: string): string | undefined {
    return this.message.get(name);
  }

  /** INVITE: sends CANCEL (after a provisional response, RFC 3261 §9.1). */
  cancel(): void {
    this.canceller();
  }
}

/**
 * drachtio-srf's `srf.request`: sends a request outside a dialog and resolves with it as sent;
 * its responses are the SentRequest's `response` events.
 *
 * @param engine - the engine to send through
 * @param uri - the Request-URI
 * @param options - method, headers, body, auth, proxy
 * @param localHost - the host for a From made up
 * @returns the request as sent
 */
export function sendOutOfDialog(
  engine: Engine,
  uri: string,
  options: RequestOptions,
  localHost: string,
): Promise<SentRequest> {
  let request = buildRequest(uri, options, localHost);
  const events = withDigestAuth(request, (r) => engine.send(r, { proxy: options.proxy }), options.auth).pipe(
    share(),
  );
  let settle!: (r: SipResponse) => void;
  const final = new Promise<SipResponse>((resolve) => (settle = resolve));
  return new Promise<SentRequest>((resolve, reject) => {
    let sent: SentRequest | undefined;
    const subscription = events.subscribe({
      next: (event) => {
        if (event.kind === 'sent') {
          request = event.request;
          if (!sent) {
            sent = new SentRequest(request, () => subscription.unsubscribe(), final);
            resolve(sent);
          }
          return;
        }
        const response = event.response;
        let ack: AckFunction | undefined;
        if (request.method === 'INVITE' && response.status >= 200 && response.status < 300) {
          const invite = request;
          ack = (opts) => {
            const message = ackFor2xx(
              invite,
              response,
              opts?.body ? { contentType: 'application/sdp', body: opts.body } : undefined,
            );
            if (opts?.headers) message.set(opts.headers);
            engine.sendAck(message);
          };
        }
        if (response.status >= 200) settle(response);
        sent?.emit('response', response, ack);
      },
      error: reject,
    });
  });
}
