import { type Logger, pino } from 'pino';
import { StackEngine } from '../engine/stack-engine.js';
import { DEFAULT_REQUEST_POLICY, type RequestPolicy } from '../sip/check-request.js';
import { DEFAULT_TIMERS, type TransactionTimers } from '../transaction/timer-config.js';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from '../transaction/transaction-layer.js';
import type { Protocol } from '../transport/types.js';
import { MemoryTransportLayer } from './memory-transport-layer.js';
import type { VirtualNetwork } from './virtual-network.js';

export interface MemoryEngineOptions {
  address: string;
  port?: number;
  protocols?: readonly Protocol[];
  timers?: Partial<TransactionTimers>;
  limits?: Partial<TransactionLimits>;
  policy?: Partial<RequestPolicy>;
  logger?: Logger;
}

/** An engine whose transport is the virtual network: the same transaction layer, virtual time. */
export class MemoryEngine extends StackEngine {
  constructor(
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
      timers: { ...DEFAULT_TIMERS, ...options.timers },
      limits: { ...DEFAULT_TRANSACTION_LIMITS, ...options.limits },
      policy: { ...DEFAULT_REQUEST_POLICY, ...options.policy },
      scheduler: network.scheduler,
      logger,
    });
  }

  /** The memory transport, to simulate connection loss. */
  get memoryTransport(): MemoryTransportLayer {
    return this.transport as MemoryTransportLayer;
  }
}
