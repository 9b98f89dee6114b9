import { isIPv6, type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { Logger } from 'pino';
import type { Observable, SchedulerLike } from 'rxjs';
import { WebSocket } from 'ws';
import type { SipUri } from '../sip/uri.js';
import { type Gate, peerOf } from './accepted-sockets.js';
import type { Admission } from './admissions.js';
import type { Connection } from './connection.js';
import { ConnectionTable } from './connection-table.js';
import { decodeMessage } from './decode.js';
import { type DnsLookup, resolveTargets, systemDns } from './resolver.js';
import type { ConnectionEvents } from './socket-connection.js';
import { StreamConnection } from './stream-connection.js';
import { StreamListener } from './stream-listener.js';
import type { InboundHandler, TransportLayer } from './transport-layer.js';
import {
  type Endpoint,
  hostPort,
  type ListeningPoint,
  type ListenOptions,
  PROTOCOLS,
  type Protocol,
  type Source,
  type Target,
} from './types.js';
import { UdpTransport } from './udp-transport.js';
import { WsConnection } from './ws-connection.js';
import { WsListener } from './ws-listener.js';

/** Bounds on what the socket transports hold: message sizes, connections, idle time, UDP buffers. */
export interface TransportLimits {
  /** Largest SIP message accepted on a stream or WebSocket (bytes); datagrams are bounded by UDP. */
  maxMessageBytes: number;
  /** Largest header section on a stream (bytes). */
  maxHeaderBytes: number;
  /** Open connections at most, TLS and WebSocket handshakes included; new ones beyond are refused. */
  maxConnections: number;
  /** Connections without traffic for this long are closed (ms; 0 keeps them). */
  idleTimeoutMs: number;
  /**
   * A message on a stream must arrive whole within this long of its first byte, and an inbound
   * connection (its TLS or WebSocket handshake included) must send its first complete message
   * within this long of opening; else it is closed (ms; 0: no deadline). Kamailio's
   * `tcp_msg_read_timeout` and `tcp_msg_data_timeout`.
   */
  messageTimeoutMs: number;
  /**
   * Inbound connections from one address that have not yet sent a complete SIP message
   * (handshakes included); new ones beyond are refused.
   */
  maxPendingConnectionsPerAddress: number;
  /** The UDP sockets' receive buffer (SO_RCVBUF, bytes): room for bursts while the event loop is busy. */
  udpRecvBufferSize: number;
  /** The UDP sockets' send buffer (SO_SNDBUF, bytes). */
  udpSendBufferSize: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxMessageBytes: 64 * 1024,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 10_000,
  idleTimeoutMs: 5 * 60_000,
  messageTimeoutMs: 20_000,
  maxPendingConnectionsPerAddress: 100,
  udpRecvBufferSize: 4 * 1024 * 1024,
  udpSendBufferSize: 4 * 1024 * 1024,
};

export interface SocketTransportOptions {
  listen: readonly ListenOptions[];
  limits: TransportLimits;
  /** Options for outbound TLS/WSS connections (CA, client certificate, `rejectUnauthorized`). */
  tlsClient?: ConnectionOptions;
  dns?: DnsLookup;
  scheduler: SchedulerLike;
  logger: Logger;
}

type Listener = UdpTransport | StreamListener | WsListener;

/** The transport layer over real sockets: UDP, TCP, TLS, WS and WSS, IPv4 and IPv6. */
export class SocketTransportLayer implements TransportLayer {
  private handler: InboundHandler | undefined;
  private readonly listeners: Listener[] = [];
  private readonly udp: UdpTransport[] = [];
  private readonly connections: ConnectionTable;
  private readonly events: ConnectionEvents;
  private readonly gate: Gate;
  points: ListeningPoint[] = [];
  protocols: Protocol[] = [];
  readonly flowClosed$: Observable<string>;

  constructor(private readonly options: SocketTransportOptions) {
    const { limits, scheduler, logger } = options;
    this.connections = new ConnectionTable(limits, scheduler, logger);
    this.flowClosed$ = this.connections.flowClosed$;
    this.events = {
      onMessage: (data, source) => this.deliver(data, source),
      onClose: (connection) => this.connections.remove(connection),
      now: () => scheduler.now(),
    };
    this.gate = (socket) => this.connections.admit(peerOf(socket).address, () => socket.destroy());
  }

  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  connectionCounts(): Partial<Record<Protocol, number>> {
    return this.connections.countByProtocol();
  }

  private deliver(data: Buffer, source: Source): boolean {
    return this.handler ? decodeMessage(data, source, this.handler, this.options.logger) : false;
  }

  /** Opens every listening point; rejects (closing what opened) if one fails. */
  async start(): Promise<ListeningPoint[]> {
    const { limits, logger } = this.options;
    for (const listen of this.options.listen) {
      let listener: Listener;
      if (listen.protocol === 'udp') {
        const udp = new UdpTransport(
          listen,
          { recvBufferSize: limits.udpRecvBufferSize, sendBufferSize: limits.udpSendBufferSize },
          (data, source) => this.deliver(data, source),
          logger,
        );
        this.udp.push(udp);
        listener = udp;
      } else if (listen.protocol === 'tcp' || listen.protocol === 'tls') {
        listener = new StreamListener(listen, this.gate, (socket, point, admission) =>
          this.adoptStream(socket, point, admission),
        );
      } else {
        listener = new WsListener(
          listen,
          limits.maxMessageBytes,
          this.gate,
          (socket, request, point, admission) =>
            this.adoptWs(socket, point, peerOf(request.socket), admission),
        );
      }
      this.listeners.push(listener);
      try {
        this.points.push(await listener.listen());
      } catch (err) {
        await this.close();
        throw new Error(
          `cannot listen on ${listen.protocol}:${hostPort(listen.host, listen.port)}: ${(err as Error).message}`,
        );
      }
    }
    const listening = new Set(this.points.map((p) => p.protocol));
    // Outbound TCP/TLS/WS need no listening point of their own, but Via wants one to name.
    this.protocols = PROTOCOLS.filter((p) => listening.has(p) || (p !== 'udp' && listening.size > 0));
    for (const point of this.points)
      logger.info({ protocol: point.protocol, address: hostPort(point.address, point.port) }, 'listening');
    return this.points;
  }

  localPoint(protocol: Protocol, ipv6 = false): ListeningPoint | undefined {
    // A listening point's address is an IP literal: a colon says IPv6, without isIPv6's regular
    // expression, which this runs for every Via and Contact the stack writes.
    const family = (p: ListeningPoint) => p.address.includes(':') === ipv6;
    return (
      this.points.find((p) => p.protocol === protocol && family(p)) ??
      this.points.find((p) => p.protocol === protocol) ??
      this.points.find(family) ??
      this.points[0]
    );
  }

  flow(flowId: string): Endpoint | undefined {
    const connection = this.connections.flow(flowId);
    return (
      connection && {
        protocol: connection.protocol,
        address: connection.remote.address,
        port: connection.remote.port,
      }
    );
  }

  resolve(uri: SipUri): Observable<Target[]> {
    return resolveTargets(uri, this.protocols, this.options.dns ?? systemDns);
  }

  send(data: Buffer, target: Target, onError?: (err: Error) => void): void {
    if (target.protocol === 'udp') {
      // Targets are resolved addresses: an IPv6 literal is the one with a colon.
      const ipv6 = target.address.includes(':');
      const udp =
        this.udp.length === 1
          ? this.udp[0]
          : (this.udp.find((u) => u.point !== undefined && u.point.address.includes(':') === ipv6) ??
            this.udp[0]);
      if (!udp) onError?.(new Error('no UDP listening point to send from'));
      else udp.send(data, target.address, target.port, onError);
      return;
    }
    const existing =
      (target.flowId !== undefined ? this.connections.flow(target.flowId) : undefined) ??
      this.connections.toRemote(target.protocol, target.address, target.port);
    if (existing) {
      existing.send(data, onError);
      return;
    }
    const connection = this.connect(target, onError);
    connection?.send(data, onError);
  }

  private connect(target: Target, onError?: (err: Error) => void): Connection | undefined {
    if (!this.connections.hasRoom()) {
      onError?.(new Error('connection limit reached'));
      return undefined;
    }
    const point = this.localPoint(target.protocol, isIPv6(target.address));
    const local = point
      ? { protocol: target.protocol, address: point.address, port: point.port }
      : { protocol: target.protocol, address: '', port: 0 };
    const remote = { address: target.address, port: target.port };
    const { limits, logger, tlsClient } = this.options;
    let connection: Connection;
    if (target.protocol === 'tcp' || target.protocol === 'tls') {
      const socket =
        target.protocol === 'tls'
          ? tlsConnect(
              Object.assign({}, tlsClient, {
                host: target.address,
                port: target.port,
                servername: target.hostname ?? tlsClient?.servername,
              }),
            )
          : tcpConnect({ host: target.address, port: target.port });
      socket.once('error', (err) => onError?.(err));
      connection = new StreamConnection(
        target.protocol,
        socket,
        local,
        remote,
        { maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxMessageBytes },
        this.events,
        logger,
      );
    } else {
      const scheme = target.protocol === 'wss' ? 'wss' : 'ws';
      const socket = new WebSocket(
        `${scheme}://${hostPort(target.hostname ?? target.address, target.port)}`,
        'sip',
        {
          maxPayload: limits.maxMessageBytes,
          ...(target.protocol === 'wss' ? tlsClient : {}),
        },
      );
      socket.once('error', (err) => onError?.(err));
      connection = new WsConnection(
        target.protocol,
        socket,
        local,
        remote,
        limits.maxMessageBytes,
        this.events,
        logger,
      );
      const queued: Array<[Buffer, ((err: Error) => void) | undefined]> = [];
      const ws = connection;
      const send = ws.send.bind(ws);
      ws.send = (data, cb) =>
        socket.readyState === WebSocket.OPEN ? send(data, cb) : queued.push([data, cb]);
      socket.once('open', () => {
        ws.send = send;
        for (const [data, cb] of queued.splice(0)) send(data, cb);
      });
    }
    this.connections.add(connection);
    return connection;
  }

  // An accepted socket, admitted by the connection table as TCP accepted it (the gate).
  private adoptStream(socket: Socket, point: ListeningPoint, admission: Admission): void {
    const { limits, logger } = this.options;
    const local = { protocol: point.protocol, address: point.address, port: point.port };
    const connection = new StreamConnection(
      point.protocol,
      socket,
      local,
      peerOf(socket),
      { maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxMessageBytes },
      this.events,
      logger,
      admission,
    );
    this.connections.add(connection);
  }

  private adoptWs(
    socket: WebSocket,
    point: ListeningPoint,
    remote: { address: string; port: number },
    admission: Admission,
  ): void {
    const local = { protocol: point.protocol, address: point.address, port: point.port };
    const { limits, logger } = this.options;
    this.connections.add(
      new WsConnection(
        point.protocol,
        socket,
        local,
        remote,
        limits.maxMessageBytes,
        this.events,
        logger,
        admission,
      ),
    );
  }

  /** Open connections (for tests and metrics). */
  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    this.connections.closeAll();
    await Promise.all(this.listeners.map((l) => l.close()));
    this.listeners.length = 0;
  }
}
