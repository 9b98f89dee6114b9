import { readProxyInstruction } from '../drachtio-wire/proxy-instruction.js';
import type { WireMessage } from '../drachtio-wire/wire-message.js';
import { wireTime } from '../drachtio-wire/wire-time.js';
import { forwardStatefully, type ProxyResult } from '../proxy/proxy-request.js';
import type { AppConnection } from './app-connection.js';
import type { ServerCore } from './server-core.js';
import { headersOf, parseAppMessage } from './wire-sip.js';

// The proxied request keeps its own identity; the app's message only adds headers.
const OWN = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length', 'route']);

/**
 * An app's `proxy` message: the request of transaction `txnId` proxied statefully by rxsip's
 * proxy (RFC 3261 §16) to the destinations, in turn or at once, Record-Routed when asked. Each
 * response received is passed to the app as a `continue` reply, then `done`.
 */
export function proxyForApp(core: ServerCore, app: AppConnection, message: WireMessage): void {
  const fail = (reason: string) => app.wire.reply({ rid: message.id, status: 'NOK', values: [reason] });
  const instruction = readProxyInstruction(message.args);
  const txn = core.incoming.get(instruction.txnId);
  if (!txn || txn.app !== app) {
    fail(`unknown transaction ${instruction.txnId}`);
    return;
  }
  let headers = {};
  if (message.sip) {
    try {
      headers = headersOf(parseAppMessage(message.sip), OWN);
    } catch (err) {
      fail(`malformed SIP message: ${(err as Error).message}`);
      return;
    }
  }
  txn.proxied = true;
  forwardStatefully(core.ua, txn.inbound, instruction.destinations, {
    recordRoute: instruction.remainInDialog,
    followRedirects: instruction.followRedirects,
    forking: instruction.simultaneous ? 'simultaneous' : 'sequential',
    ...(instruction.provisionalTimeout ? { provisionalTimeout: instruction.provisionalTimeout } : {}),
    ...(instruction.finalTimeout ? { finalTimeout: instruction.finalTimeout } : {}),
    headers,
  }).subscribe({
    next: (result) => report(app, message.id, txn.inbound.source.protocol, result),
    error: (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
  });
}

function report(app: AppConnection, rid: string, protocol: string, result: ProxyResult): void {
  for (const branch of result.responses) {
    for (const record of branch.msgs) {
      const text = record.msg.toString();
      const values = [
        'network',
        String(Buffer.byteLength(text)),
        protocol,
        branch.address,
        String(branch.port),
        wireTime(record.time),
        '',
        '',
        'continue',
      ];
      app.wire.reply({ rid, status: 'OK', values, sip: text });
    }
  }
  app.wire.reply({ rid, status: 'OK', values: ['done'] });
}
