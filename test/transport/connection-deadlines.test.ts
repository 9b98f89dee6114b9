// The connection table's deadlines and per-source limit, in virtual time: the sweep runs on the
// injected scheduler, so a 20-second deadline is checked without waiting.
import { pino } from 'pino';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/transport/connection.js';
import { type ConnectionLimits, ConnectionTable } from '../../src/transport/connection-table.js';

const silent = pino({ level: 'silent' });
const LIMITS: ConnectionLimits = {
  maxConnections: 100,
  idleTimeoutMs: 300_000,
  messageTimeoutMs: 20_000,
  maxPendingConnectionsPerAddress: 3,
};

/** A connection whose activity and message start the test sets; `close` records the time. */
function connection(
  table: ConnectionTable,
  scheduler: TestScheduler,
  flowId: string,
): Connection & { closedAt?: number; messageStartedAt?: number } {
  const c: Connection & { closedAt?: number; messageStartedAt?: number } = {
    flowId,
    protocol: 'tcp',
    remote: { address: '192.0.2.1', port: Number(flowId.replace(/\D/g, '')) },
    local: { protocol: 'tcp', address: '127.0.0.1', port: 5060 },
    lastActivity: 0,
    send: () => undefined,
    close() {
      c.closedAt ??= scheduler.now();
      table.remove(c);
    },
  };
  return c;
}

function virtual(run: (scheduler: TestScheduler, table: ConnectionTable) => void, limits = LIMITS): void {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  scheduler.run(() => {
    const table = new ConnectionTable(limits, scheduler, silent);
    run(scheduler, table);
    scheduler.schedule(() => table.closeAll(), 400_000);
  });
}

describe('ConnectionTable: the message deadline (virtual time)', () => {
  it('closes a connection whose message is still incomplete 20 s after its first byte, though bytes keep coming', () => {
    let closedAt: number | undefined;
    let stillOpen: number | undefined;
    virtual((scheduler, table) => {
      const slow = connection(table, scheduler, 'tcp-1');
      const steady = connection(table, scheduler, 'tcp-2');
      table.add(slow);
      table.add(steady);
      // slow: one byte a second from t=1 s on, never a whole message: activity, but one message.
      slow.messageStartedAt = 1000;
      for (let t = 1000; t < 60_000; t += 1000) scheduler.schedule(() => (slow.lastActivity = t), t);
      // steady: a whole message every 10 s, each taking 2 s to arrive.
      for (let t = 0; t < 60_000; t += 10_000) {
        scheduler.schedule(() => {
          steady.messageStartedAt = t;
          steady.lastActivity = t;
        }, t);
        scheduler.schedule(() => (steady.messageStartedAt = undefined), t + 2000);
      }
      scheduler.schedule(() => {
        closedAt = slow.closedAt;
        stillOpen = table.flow('tcp-2') ? 1 : 0;
      }, 60_000);
    });
    // Swept every 5 s (a quarter of 20 s): the first sweep at or past 21 s.
    expect(closedAt).toBe(25_000);
    expect(stillOpen).toBe(1);
  });

  it('keeps the idle timeout for connections with no message in progress', () => {
    let closedAt: number | undefined;
    virtual((scheduler, table) => {
      const idle = connection(table, scheduler, 'tcp-1');
      table.add(idle);
      scheduler.schedule(() => (closedAt = idle.closedAt), 399_000);
    });
    expect(closedAt).toBe(305_000);
  });

  it('a deadline of 0 turns the message deadline off', () => {
    let closedAt: number | undefined = -1;
    virtual(
      (scheduler, table) => {
        const slow = connection(table, scheduler, 'tcp-1');
        slow.messageStartedAt = 0;
        table.add(slow);
        scheduler.schedule(() => (slow.lastActivity = 100_000), 100_000);
        scheduler.schedule(() => (closedAt = slow.closedAt), 200_000);
      },
      { ...LIMITS, messageTimeoutMs: 0 },
    );
    expect(closedAt).toBeUndefined();
  });
});

describe('ConnectionTable: sockets without a complete message (virtual time)', () => {
  it('admits at most maxPendingConnectionsPerAddress from one address; another address is unaffected', () => {
    virtual((_scheduler, table) => {
      const admitted = [1, 2, 3, 4].map(() => table.admit('192.0.2.7', () => undefined));
      expect(admitted.map((a) => a !== undefined)).toEqual([true, true, true, false]);
      expect(table.admit('192.0.2.8', () => undefined)).toBeDefined();
      // One of them sends its first message: room for one more from that address.
      admitted[0]?.release();
      expect(table.pending('192.0.2.7')).toBe(2);
      expect(table.admit('192.0.2.7', () => undefined)).toBeDefined();
      expect(table.admit('192.0.2.7', () => undefined)).toBeUndefined();
    });
  });

  it('closes a socket that has sent no complete message within the deadline of its opening', () => {
    const closed: Array<[string, number]> = [];
    virtual((scheduler, table) => {
      const silentOne = table.admit('192.0.2.7', () => closed.push(['silent', scheduler.now()]));
      const talker = table.admit('192.0.2.7', () => closed.push(['talker', scheduler.now()]));
      silentOne?.attach();
      talker?.attach();
      scheduler.schedule(() => talker?.release(), 3000);
      scheduler.schedule(() => expect(table.pending('192.0.2.7')).toBe(0), 30_000);
    });
    expect(closed).toEqual([['silent', 20_000]]);
  });

  it('counts handshakes (admitted, not yet connections) toward maxConnections', () => {
    virtual(
      (scheduler, table) => {
        table.add(connection(table, scheduler, 'tcp-1'));
        const handshake = table.admit('192.0.2.9', () => undefined);
        expect(handshake).toBeDefined();
        expect(table.hasRoom()).toBe(false);
        expect(table.admit('192.0.2.10', () => undefined)).toBeUndefined();
        // The handshake fails and its socket closes: room again.
        handshake?.release();
        expect(table.hasRoom()).toBe(true);
      },
      { ...LIMITS, maxConnections: 2 },
    );
  });

  it('closes every pending socket on closeAll', () => {
    const closed: string[] = [];
    virtual((_scheduler, table) => {
      table.admit('192.0.2.7', () => closed.push('a'));
      table.admit('192.0.2.8', () => closed.push('b'));
      table.closeAll();
      expect(table.pending('192.0.2.7')).toBe(0);
    });
    expect(closed).toEqual(['a', 'b']);
  });
});
