import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type SchedulerLike, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Timer, TimerService } from '../../src/transaction/timer-service.js';
import { CountingScheduler, virtualTime } from './harness.js';

describe('TimerService', () => {
  it('fires each timer at its due time, earliest first, whatever the order they were started in', () => {
    virtualTime((scheduler, flush) => {
      const timers = new TimerService(scheduler);
      const fired: string[] = [];
      const note = (name: string) => () => fired.push(`${scheduler.now()} ${name}`);
      timers.start(500, note('a'));
      timers.start(100, note('b'));
      timers.start(500, note('c'));
      timers.start(0, note('d'));
      scheduler.schedule(() => timers.start(500, note('e')), 200);
      scheduler.schedule(() => timers.start(100, note('f')), 450);
      flush();
      expect(fired).toEqual(['0 d', '100 b', '500 a', '500 c', '550 f', '700 e']);
      expect(timers.pending).toBe(0);
    });
  });

  it('never fires a cancelled timer, and cancelling twice or after firing is harmless', () => {
    virtualTime((scheduler, flush) => {
      const timers = new TimerService(scheduler);
      const fired: string[] = [];
      const a = timers.start(100, () => fired.push('a'));
      const b = timers.start(100, () => fired.push('b'));
      const c = timers.start(200, () => fired.push('c'));
      a.cancel();
      a.cancel();
      scheduler.schedule(() => c.cancel(), 150);
      flush();
      b.cancel();
      expect(fired).toEqual(['b']);
    });
  });

  it('serves a thousand timers of one duration with one scheduled action', () => {
    virtualTime((scheduler, flush) => {
      const counting = new CountingScheduler(scheduler);
      const timers = new TimerService(counting);
      let fired = 0;
      for (let i = 0; i < 1000; i++) timers.start(32_000, () => fired++);
      expect(counting.pending).toBe(1);
      expect(timers.pending).toBe(1000);
      flush();
      expect(fired).toBe(1000);
      expect(counting.scheduled).toBe(1);
      expect(timers.pending).toBe(0);
    });
  });

  // At a low call rate every INVITE starts a Timer A that its 100 Trying cancels: woken for each
  // cancelled one, the queue cost the process one idle wake-up per call.
  it('does not wake for cancelled timers: after the first due, it sleeps until the next live one', () => {
    virtualTime((scheduler, flush) => {
      const counting = new CountingScheduler(scheduler);
      const timers = new TimerService(counting);
      const fired: number[] = [];
      // One call every 5 ms for a second, each Timer A cancelled 2 ms after it started.
      for (let i = 0; i < 200; i++) {
        scheduler.schedule(() => {
          const timerA = timers.start(500, () => fired.push(scheduler.now()));
          scheduler.schedule(() => timerA.cancel(), 2);
        }, i * 5);
      }
      // One that is not cancelled.
      scheduler.schedule(() => timers.start(500, () => fired.push(scheduler.now())), 2_000);
      flush();
      expect(fired).toEqual([2_500]);
      // One action per 500 ms while calls come (at 500 and 1000, for entries all cancelled by
      // then), then the live one's: not one per cancelled timer.
      expect(counting.scheduled).toBe(3);
      expect(timers.pending).toBe(0);
      expect(timers.retained).toBe(0);
    });
  });

  it('keeps one scheduled action per duration when a timer restarts itself as it fires (Timer A, E, G)', () => {
    virtualTime((scheduler, flush) => {
      const counting = new CountingScheduler(scheduler);
      const timers = new TimerService(counting);
      const fired: number[] = [];
      const seen: number[] = [];
      const retransmit = () => {
        fired.push(scheduler.now());
        seen.push(counting.pending);
        if (fired.length < 5) timers.start(4000, retransmit);
      };
      timers.start(4000, retransmit);
      // another transaction's timer of the same duration, due between the restarts
      scheduler.schedule(() => timers.start(4000, () => seen.push(counting.pending)), 1000);
      flush();
      expect(fired).toEqual([4000, 8000, 12_000, 16_000, 20_000]);
      // seen inside callbacks: the action running has already been counted out
      expect(Math.max(...seen)).toBeLessThanOrEqual(1);
      expect(counting.pending).toBe(0);
    });
  });

  it('dispose() drops every pending timer', () => {
    virtualTime((scheduler, flush) => {
      const counting = new CountingScheduler(scheduler);
      const timers = new TimerService(counting);
      let fired = 0;
      timers.start(100, () => fired++);
      timers.start(200, () => fired++);
      timers.dispose();
      expect(counting.pending).toBe(0);
      flush();
      expect(fired).toBe(0);
      expect(timers.pending).toBe(0);
    });
  });

  it('hands what a callback throws to onError and still fires the other timers due at that moment', () => {
    virtualTime((scheduler, flush) => {
      const errors: unknown[] = [];
      const timers = new TimerService(scheduler, (err) => errors.push(err));
      const fired: string[] = [];
      timers.start(100, () => fired.push('a'));
      timers.start(100, () => {
        throw new Error('boom');
      });
      timers.start(100, () => fired.push('c'));
      flush();
      expect(fired).toEqual(['a', 'c']);
      expect(errors).toHaveLength(1);
      expect((errors[0] as Error).message).toBe('boom');
    });
  });

  it('lets go of cancelled timers long before their time: answered INVITEs leave no 180 s deadline behind', () => {
    virtualTime((scheduler, flush) => {
      const timers = new TimerService(scheduler);
      const fired: number[] = [];
      const kept = new Set([0, 1500, 2999, 3000, 3999]);
      // 4,000 INVITE deadlines of 180 s, started 1 ms apart; all but five answered (cancelled) 10 ms later.
      for (let i = 0; i < 4000; i++) {
        scheduler.schedule(() => {
          const t = timers.start(180_000, () => fired.push(i));
          if (!kept.has(i)) scheduler.schedule(() => t.cancel(), 10);
        }, i);
      }
      scheduler.schedule(() => {
        expect(timers.pending).toBe(5);
        // At most COMPACT_MIN dead entries are kept for a compaction to pay.
        expect(timers.retained).toBeLessThan(1100);
      }, 10_000);
      flush();
      expect(fired).toEqual([0, 1500, 2999, 3000, 3999]);
      expect(timers.pending).toBe(0);
      expect(timers.retained).toBe(0);
    });
  });

  it('keeps firing in order when timers are cancelled from inside a firing callback', () => {
    virtualTime((scheduler, flush) => {
      const timers = new TimerService(scheduler);
      const fired: number[] = [];
      const handles: Timer[] = [];
      // The first of the queue to fire cancels every odd one after it, more than COMPACT_MIN while
      // its own queue runs.
      timers.start(100, () => {
        for (let i = 1; i < 3000; i += 2) handles[i]?.cancel();
      });
      for (let i = 0; i < 3000; i++) handles.push(timers.start(100, () => fired.push(i)));
      handles[0]?.cancel();
      flush();
      expect(fired).toEqual(Array.from({ length: 1499 }, (_, k) => 2 * (k + 1)));
      expect(timers.pending).toBe(0);
      expect(timers.retained).toBe(0);
    });
  });

  it('lets go of a timer at once when it is cancelled or fires, while its queue has others pending', async () => {
    // A full collection on demand (the test has no --expose-gc). WeakRef targets live to the end
    // of the job that made them, so the collection runs in a later one, in the middle of virtual time.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const scheduler = new VirtualTimeScheduler();
    const timers = new TimerService(scheduler);
    const refs: WeakRef<Timer>[] = [];
    // Others of each duration stay pending: the queues are not emptied, only the two let go of.
    timers.start(32_000, () => undefined);
    timers.start(50, () => undefined);
    timers.start(100, () => undefined);
    // One cancelled (Timer B at the final response), one that fires at 50 ms.
    ((cancelled: Timer) => {
      refs.push(new WeakRef(cancelled));
      cancelled.cancel();
    })(timers.start(32_000, () => undefined));
    refs.push(new WeakRef(timers.start(50, () => undefined)));
    scheduler.maxFrames = 60;
    scheduler.flush();
    expect(timers.pending).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
    timers.dispose();
  });

  it('calls a method on its object, and a kept Timer holds the object no longer once cancelled or fired', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const scheduler = new VirtualTimeScheduler();
    const timers = new TimerService(scheduler);
    class Transaction {
      fired: number[] = [];
      timerK(this: Transaction): void {
        this.fired.push(scheduler.now());
      }
    }
    const seen = new Transaction();
    timers.start(50, seen.timerK, seen);
    // The caller keeps both Timers, as a transaction's field may; their objects must not be kept.
    const refs: WeakRef<Transaction>[] = [];
    const kept: Timer[] = [];
    ((cancelled: Transaction, fired: Transaction) => {
      refs.push(new WeakRef(cancelled), new WeakRef(fired));
      kept.push(timers.start(32_000, cancelled.timerK, cancelled), timers.start(50, fired.timerK, fired));
      kept[0]?.cancel();
    })(new Transaction(), new Transaction());
    timers.start(32_000, () => undefined);
    scheduler.maxFrames = 60;
    scheduler.flush();
    expect(seen.fired).toEqual([50]);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
    expect(kept).toHaveLength(2);
    timers.dispose();
  });

  it('keeps time through weeks of uptime and on a clock that starts in 1970, as Date.now() does', () => {
    // A queue's due times count from its epoch, which moves forward every 6 days of a queue that is
    // never empty: a heartbeat keeps the 32 s queue busy for 20 days of virtual time.
    const virtual = new VirtualTimeScheduler();
    const scheduler = {
      now: () => 1_765_000_000_000 + virtual.now(),
      schedule: virtual.schedule.bind(virtual) as SchedulerLike['schedule'],
      flush: () => virtual.flush(),
    };
    const timers = new TimerService(scheduler);
    expect(scheduler.now()).toBeGreaterThan(2 ** 31);
    const start = scheduler.now();
    let beats = 0;
    const beat = () => {
      beats++;
      if (scheduler.now() - start < 20 * 86_400_000) timers.start(32_000, beat);
    };
    timers.start(32_000, beat);
    const fired: number[] = [];
    for (const at of [1, 7, 13, 19]) {
      scheduler.schedule(
        () => {
          const from = scheduler.now();
          timers.start(32_000, () => fired.push(scheduler.now() - from));
          timers.start(5_000, () => fired.push(scheduler.now() - from));
        },
        at * 86_400_000 + 1234,
      );
    }
    scheduler.flush();
    expect(fired).toEqual([5_000, 32_000, 5_000, 32_000, 5_000, 32_000, 5_000, 32_000]);
    expect(beats).toBe((20 * 86_400_000) / 32_000);
    expect(timers.pending).toBe(0);
  });
});
