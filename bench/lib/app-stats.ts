// Preloaded into an rxsip example by the bench (`node --import temp/bench-build/bench/lib/app-stats.js
// examples/run.ts …`): remembers every Srf the example starts and, when the bench asks over the
// IPC channel, answers with process.memoryUsage(), the live dialogs and the live transactions
// (lingering ones in their RFC 3261 wait states included). The example itself is unchanged; the
// hook does nothing until asked.
import { Srf } from '../../src/index.js';

interface Counts {
  client: number;
  server: number;
}

const started: Srf[] = [];
const start = Srf.prototype.start;
Srf.prototype.start = function (this: Srf, ...args: Parameters<Srf['start']>) {
  started.push(this);
  return start.apply(this, args);
};

function transactions(srf: Srf): Counts {
  try {
    // The embedded engine's transaction layer; other engines may not have one.
    const layer = (srf.engine as unknown as { layer?: { counts?: Counts } }).layer;
    return layer?.counts ?? { client: 0, server: 0 };
  } catch {
    return { client: 0, server: 0 };
  }
}

const send = process.send?.bind(process);
if (send) {
  process.on('message', (message: { type?: string; id?: number; gc?: boolean }) => {
    if (message?.type !== 'stats') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (message.gc && gc) {
      // Twice: the first collection can leave finalizer work for the second.
      gc();
      gc();
    }
    const counts = started.map(transactions);
    send({
      id: message.id,
      stats: {
        ...process.memoryUsage(),
        dialogs: started.reduce((n, srf) => n + srf.dialogCount, 0),
        transactions: {
          client: counts.reduce((n, c) => n + c.client, 0),
          server: counts.reduce((n, c) => n + c.server, 0),
        },
      },
    });
  });
  // The channel must not keep the example alive once it wants to exit.
  process.channel?.unref();
}
