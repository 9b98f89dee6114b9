import { EventEmitter } from 'node:events';
import type { SipRequest, SipResponse } from '../sip/message.js';

export type AckFunction = (options?: { body?: string; headers?: Record<string, string> }) => void;

/**
 * drachtio-srf's view of a request it sent: the request as it went out, `on('response',
 * (res, ack) => ...)` for every response (`ack` given for a 2xx to an INVITE), and `cancel()`.
 */
export class SentRequest extends EventEmitter<{ response: [SipResponse, AckFunction | undefined] }> {
  constructor(
    /** The request as sent, with our Via. */
    readonly message: SipRequest,
    private readonly canceller: () => void,
    /** The final response. */
    readonly final: Promise<SipResponse>,
  ) {
    super();
  }

  get method(): string {
    return this.message.method;
  }

  get uri(): string {
    return this.message.uri;
  }

  get(name: string): string | undefined {
    return this.message.get(name);
  }

  /** INVITE: sends CANCEL (after a provisional response, RFC 3261 §9.1). */
  cancel(): void {
    this.canceller();
  }
}
