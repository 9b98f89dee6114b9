// The parties of the drachtio protocol tests, each on a free port of 127.0.0.1 and stopped after
// its test: rxsip's drachtio server, apps written with the real drachtio-srf package connecting to
// it (or listening for it), and SIPp callers and callees on the SIP side.
import { createConnection } from 'node:net';
import DrachtioSrf from 'drachtio-srf';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { type DrachtioServer, startDrachtioServer } from '../../src/drachtio-server/drachtio-server.js';
import type { DrachtioServerOptions } from '../../src/drachtio-server/server-options.js';
import { encodeFrame, FrameDecoder } from '../../src/drachtio-wire/frame-decoder.js';
import {
  formatWireMessage,
  parseWireMessage,
  type WireMessage,
} from '../../src/drachtio-wire/wire-message.js';
import { freePort } from '../support/ports.js';
import { runSipp, type SippResult, startSipp } from '../support/sipp.js';

export const SECRET = 'cymru';

/** The SDP the drachtio-srf apps answer and offer with. */
export const APP_SDP =
  'v=0\r\no=app 1 1 IN IP4 127.0.0.1\r\ns=app\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=sendrecv\r\n';

/** One log line of pino, as written. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger that keeps every line it writes, for assertions on what was logged. */
export function capturingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

/** Resolves once `check` holds, checking every 10 ms; rejects after `ms` saying what it waited for. */
export async function eventually(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// What the tests use of drachtio-srf, typed here: the package's bundled .d.ts is partly wrong
// (connect typed as a Promise, cdr events missing, callbacks' arguments).
export type Listener = (...args: never[]) => void;

/** drachtio-srf's Request. */
export interface DrachtioRequest {
  method: string;
  uri: string;
  body: string;
  stackDialogId?: string;
  get(name: string): string;
  has(name: string): boolean;
  on(event: string, listener: Listener): void;
}

/** drachtio-srf's Response. */
export interface DrachtioResponse {
  status: number;
  reason: string;
  body: string;
  get(name: string): string;
  send(status: number, reasonOrOptions?: unknown, options?: unknown): void;
}

/** drachtio-srf's Dialog. */
export interface DrachtioDialog {
  id: string;
  sip: { callId: string; localTag: string; remoteTag: string };
  remote: { sdp: string; uri: string };
  local: { sdp: string; uri: string };
  on(event: string, listener: Listener): void;
  destroy(options?: object): Promise<DrachtioRequest>;
  request(options: { method: string; headers?: object; body?: string }): Promise<DrachtioResponse>;
  modify(sdp: string): Promise<string>;
}

/** drachtio-srf's proxyRequest result. */
export interface DrachtioProxyResult {
  connected: boolean;
  finalStatus: number;
  responses: Array<{ address: string; port: number; msgs: Array<{ status: number }> }>;
}

/** drachtio-srf's Srf: the members the tests use. */
export interface SrfApp {
  connect(options: object): unknown;
  listen(options: object): unknown;
  disconnect(): void;
  on(event: string, listener: Listener): unknown;
  invite(handler: (req: DrachtioRequest, res: DrachtioResponse) => void): void;
  use(method: string, handler: (req: DrachtioRequest, res: DrachtioResponse) => void): void;
  createUAS(req: DrachtioRequest, res: DrachtioResponse, options: object): Promise<DrachtioDialog>;
  createUAC(uri: string, options: object, progress?: object): Promise<DrachtioDialog>;
  createB2BUA(
    req: DrachtioRequest,
    res: DrachtioResponse,
    uri: string,
    options: object,
  ): Promise<{ uas: DrachtioDialog; uac: DrachtioDialog }>;
  proxyRequest(
    req: DrachtioRequest,
    destination: string | string[],
    options?: object,
  ): Promise<DrachtioProxyResult>;
  request(uri: string, options: object): Promise<DrachtioRequest>;
  endSession(req: DrachtioRequest): void;
}

/** A new drachtio-srf Srf, as an app makes one. */
export function newSrfApp(): SrfApp {
  return new DrachtioSrf() as unknown as SrfApp;
}

export function drachtioParties() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function onCleanup(cleanup: () => unknown): void {
    cleanups.push(cleanup);
  }

  /** rxsip's drachtio server: SIP on UDP and TCP, the admin port, both on free ports. */
  async function server(options: Partial<DrachtioServerOptions> = {}) {
    const sipPort = await freePort();
    const adminPort = await freePort();
    const { logger, lines } = capturingLogger();
    const started = await startDrachtioServer({
      sip: { listen: [`127.0.0.1:${sipPort}`] },
      admin: { host: '127.0.0.1', port: adminPort },
      secret: SECRET,
      logger,
      ...options,
    });
    cleanups.push(() => started.close());
    return { server: started as DrachtioServer, sipPort, adminPort, logs: lines };
  }

  /** A drachtio-srf app connected to the admin port, once the server has accepted its secret. */
  async function app(adminPort: number, secret = SECRET, setup?: (srf: SrfApp) => void): Promise<SrfApp> {
    const srf = newSrfApp();
    srf.on('error', () => undefined);
    setup?.(srf);
    const connected = new Promise<void>((resolve, reject) => {
      srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()));
    });
    void srf.connect({ host: '127.0.0.1', port: adminPort, secret });
    cleanups.push(() => disconnect(srf));
    await connected;
    return srf;
  }

  /** A SIPp callee waiting for one call; `done` resolves when it is over. */
  async function callee(scenario: string, keys?: Record<string, string>) {
    const port = await freePort();
    const sipp = startSipp({
      scenario,
      server: true,
      target: '',
      calls: 1,
      localPort: port,
      timeoutSeconds: 10,
      keys,
    });
    cleanups.push(() => {
      sipp.stop();
      return sipp.done;
    });
    await sipp.ready();
    return { port, uri: `sip:sipp@127.0.0.1:${port}`, address: `127.0.0.1:${port}`, done: sipp.done };
  }

  /** A SIPp caller placing one call to the server's SIP port. */
  async function caller(scenario: string, sipPort: number, service = 'app'): Promise<SippResult> {
    const port = await freePort();
    return runSipp({
      scenario,
      target: `127.0.0.1:${sipPort}`,
      service,
      calls: 1,
      localPort: port,
      timeoutSeconds: 10,
    });
  }

  return { server, app, callee, caller, onCleanup };
}

/** Ends a drachtio-srf app's connection without a reconnect. */
export function disconnect(srf: SrfApp): void {
  try {
    srf.disconnect();
  } catch {
    // already gone
  }
}

/** A bare TCP peer of the admin port: writes frames (or any bytes), keeps what it reads. */
export interface RawPeer {
  messages: WireMessage[];
  /** Sends a message with a fresh id and returns the id. */
  send(type: string, args: string[], sip?: string): string;
  /** Writes bytes as they are. */
  write(bytes: string | Buffer): void;
  /** Resolves when the other side closed the connection. */
  closed: Promise<void>;
  /** Resolves with the reply to a message id. */
  reply(id: string): Promise<WireMessage>;
  end(): void;
}

export async function rawPeer(port: number): Promise<RawPeer> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const decoder = new FrameDecoder(1_000_000);
  const messages: WireMessage[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const payload of decoder.push(chunk)) messages.push(parseWireMessage(payload));
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let n = 0;
  return {
    messages,
    closed,
    send(type, args, sip) {
      const id = `raw-${++n}`;
      socket.write(encodeFrame(formatWireMessage({ id, type, args, ...(sip === undefined ? {} : { sip }) })));
      return id;
    },
    write: (bytes) => socket.write(bytes),
    async reply(id) {
      const find = () => messages.find((m) => m.type === 'response' && m.args[0] === id);
      await eventually(`the reply to ${id}`, () => find() !== undefined);
      return find() as WireMessage;
    },
    end: () => socket.destroy(),
  };
}
