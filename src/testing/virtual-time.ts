import { animationFrameProvider } from 'rxjs/internal/scheduler/animationFrameProvider';
import { dateTimestampProvider } from 'rxjs/internal/scheduler/dateTimestampProvider';
import { immediateProvider } from 'rxjs/internal/scheduler/immediateProvider';
import { intervalProvider } from 'rxjs/internal/scheduler/intervalProvider';
import { performanceTimestampProvider } from 'rxjs/internal/scheduler/performanceTimestampProvider';
import { timeoutProvider } from 'rxjs/internal/scheduler/timeoutProvider';
import { TestScheduler } from 'rxjs/testing';

// What TestScheduler.run() sets up, reached the way run() reaches it (rxjs 7's providers). run()
// is synchronous: it flushes every timer before a Promise's `then` can run. Virtual time that
// lets Promises settle between timers needs the same set-up held across awaits.
interface RunInternals {
  runMode: boolean;
  createAnimator(): { delegate: typeof animationFrameProvider.delegate };
  createDelegates(): {
    immediate: typeof immediateProvider.delegate;
    interval: typeof intervalProvider.delegate;
    timeout: typeof timeoutProvider.delegate;
  };
}

/**
 * Puts RxJS's default schedulers on `scheduler`'s virtual clock, in run mode (1 frame = 1 ms),
 * as `TestScheduler.run` does, until the returned function is called.
 *
 * @param scheduler - the virtual clock
 * @returns what ends it
 */
export function enterVirtualTime(scheduler: TestScheduler): () => void {
  const internals = scheduler as unknown as RunInternals;
  const frameTimeFactor = TestScheduler.frameTimeFactor;
  TestScheduler.frameTimeFactor = 1;
  scheduler.maxFrames = Number.POSITIVE_INFINITY;
  internals.runMode = true;
  const animator = internals.createAnimator();
  const delegates = internals.createDelegates();
  animationFrameProvider.delegate = animator.delegate;
  dateTimestampProvider.delegate = scheduler;
  immediateProvider.delegate = delegates.immediate;
  intervalProvider.delegate = delegates.interval;
  timeoutProvider.delegate = delegates.timeout;
  performanceTimestampProvider.delegate = scheduler;
  return () => {
    TestScheduler.frameTimeFactor = frameTimeFactor;
    internals.runMode = false;
    animationFrameProvider.delegate = undefined;
    dateTimestampProvider.delegate = undefined;
    immediateProvider.delegate = undefined;
    intervalProvider.delegate = undefined;
    timeoutProvider.delegate = undefined;
    performanceTimestampProvider.delegate = undefined;
  };
}

/** Lets every pending Promise reaction run (a macrotask turn: microtasks drain before it). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How long {@link driveVirtualTime} goes on once the body has finished, at most (virtual ms). */
export const AFTER_BODY_MS = 10 * 60_000;

/**
 * Runs `body` in virtual time, one timer at a time, letting Promises settle between timers: the
 * Promise and callback forms then see virtual time as the observables do. Once `body` has
 * finished, the timers due within {@link AFTER_BODY_MS} run too (transactions linger, dialogs
 * wind down). Fails when `body` waits on something that no timer will bring.
 *
 * @param scheduler - the virtual clock, already entered
 * @param body - the test
 * @returns what `body` returned
 */
export async function driveVirtualTime<T>(scheduler: TestScheduler, body: () => Promise<T>): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  body().then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  await settle();
  let idle = 0;
  while (!outcome) {
    const next = scheduler.actions[0];
    if (!next) {
      // Nothing is scheduled: only real I/O or a bug would move the body now.
      if (++idle > 50)
        throw new Error(
          `virtual time: the test waits for something no timer brings (at ${scheduler.now()} ms)`,
        );
      await settle();
      continue;
    }
    idle = 0;
    scheduler.maxFrames = next.delay;
    scheduler.flush();
    await settle();
  }
  scheduler.maxFrames = scheduler.now() + AFTER_BODY_MS;
  for (
    let next = scheduler.actions[0];
    next && next.delay <= scheduler.maxFrames;
    next = scheduler.actions[0]
  ) {
    const horizon = scheduler.maxFrames;
    scheduler.maxFrames = next.delay;
    scheduler.flush();
    scheduler.maxFrames = horizon;
    await settle();
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
