import { type Logger, pino } from 'pino';
import { StackEngine } from '../engine/stack-engine.js';
import { DEFAULT_REQUEST_POLICY, type RequestPolicy } from '../sip/check-request.js';
import { DEFAULT_TIMERS, type TransactionTimers } from '../transaction/timer-config.js';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from '../transaction/transaction-layer.js';
import type { Protocol } from '../transport/types.js';
import { MemoryTransportLayer } from './memory-transport-layer.js';
import type { VirtualNetwork } from './virtual-network.js';

/** Where a {@link MemoryEngine} sits on the virtual network, and its stack's settings. */
export interface MemoryEngineOptions {
  /** Its IP address on the virtual network. */
  address: string;
  /** Its port (5060 by default). */
  port?: number;
  /** The protocols it listens on (UDP by default); streams get a flow per peer. */
  protocols?: readonly Protocol[];
  /** Transaction timers, as the embedded engine's `timers`. */
  timers?: Partial<TransactionTimers>;
  /** Transaction limits, as the embedded engine's `limits`. */
  limits?: Partial<TransactionLimits>;
  /** What the stack supports, as the embedded engine's `policy`. */
  policy?: Partial<RequestPolicy>;
  /** A pino logger; silent when omitted. */
  logger?: Logger;
  /** The User-Agent of the requests made through it (the embedded engine's `userAgent`). */
  userAgent?: string;
  /** The Server of the responses sent through it (the embedded engine's `server`). */
  server?: string;
}

/**
 * An engine whose transport is the virtual network: the same transaction layer, virtual time.
 * `sipTest`'s kit makes them; make one yourself for an Srf on a network of your own.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { Srf } from 'rxsip';
 * import { MemoryEngine, VirtualNetwork } from 'rxsip/testing';
 *
 * const scheduler = new TestScheduler(() => undefined);
 * const network = new VirtualNetwork(scheduler);
 * const server = new Srf({ scheduler }).attach(new MemoryEngine(network, { address: '10.0.0.2' }));
 * const client = new Srf({ scheduler }).attach(new MemoryEngine(network, { address: '10.0.0.3' }));
 * server.options$.subscribe(({ res }) => res.send(200));
 * scheduler.run(() => {
 *   client.send$('sip:10.0.0.2', { method: 'OPTIONS' }).subscribe((res) => console.log(res.status));
 * });
 * ```
 */
export class MemoryEngine extends StackEngine {
  /**
   * @param network - the virtual network it is on; its scheduler is the engine's clock
   * @param options - address, port, protocols and stack settings
   */
  constructor(
    /** The virtual network it is on. */
    readonly network: VirtualNetwork,
    options: MemoryEngineOptions,
  ) {
    const logger = options.logger ?? pino({ level: 'silent' });
    const transport = new MemoryTransportLayer(
      network,
      options.address,
      options.port ?? 5060,
      options.protocols ?? ['udp'],
      logger,
    );
    super(transport, {
      timers: Object.assign({}, DEFAULT_TIMERS, options.timers),
      limits: Object.assign({}, DEFAULT_TRANSACTION_LIMITS, options.limits),
      policy: Object.assign({}, DEFAULT_REQUEST_POLICY, options.policy),
      scheduler: network.scheduler,
      logger,
      userAgent: options.userAgent,
      server: options.server,
    });
  }

  /** The memory transport, to simulate connection loss. */
  get memoryTransport(): MemoryTransportLayer {
    return this.transport as MemoryTransportLayer;
  }
}
