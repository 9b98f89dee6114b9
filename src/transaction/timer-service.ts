import type { SchedulerLike, Subscription } from 'rxjs';

/** A started timer; `cancel` is idempotent and releases the callback. */
export interface Timer {
  cancel(): void;
}

// What a timer calls, and on what: a transaction's method and the transaction, rather than a
// closure or a bound function made for each timer (an object and a first-call stub each).
type Fire = (this: unknown) => void;

class Entry implements Timer {
  constructor(
    // Due time less the queue's epoch: a small integer, stored in the entry, where a time since
    // 1970 in milliseconds would be a heap number of its own beside each entry.
    public due: number,
    public fire: Fire | undefined,
    public self: unknown,
    private readonly queue: DelayQueue | undefined,
    // Its slot in the queue's array while it is live (kept up to date when the array is rebuilt).
    public index: number,
  ) {}

  cancel(): void {
    if (this.fire === undefined) return;
    this.fire = undefined;
    this.self = undefined;
    this.queue?.cancelled(this);
  }
}

// What a slot holds once its entry is cancelled or has fired: the queue lets go of the entry at
// once. Most timers are cancelled within milliseconds (Timer A, B, E, F at the response, the
// answer deadline at the answer), so their entries die young instead of being kept by the
// 32 s and 180 s queues' arrays through scavenges into the old generation. Never fires; always
// due, as a due time of 0 is (the epoch is never later than now). A small integer, not -Infinity:
// the first Entry made sets how V8 stores `due` for all, and a double would box every entry's.
const GONE = new Entry(0, undefined, undefined, undefined, -1);

// Below this many cancelled entries a queue is not compacted: copying would cost more than it frees.
const COMPACT_MIN = 1024;
// A queue moves its epoch forward once it is this far behind (6 days), keeping due times within
// V8's small integers (31 bits) on a process that runs for months.
const EPOCH_SPAN = 2 ** 29;

/**
 * Timers of one duration expire in the order they start, so a FIFO with one scheduled action
 * for its head serves them all: O(1) to start or cancel, and one scheduler action per duration
 * instead of one per timer (at N calls per second RFC 3261 keeps N x 32 s of timers alive).
 *
 * Most deadlines are cancelled (an INVITE answered long before its 180 s), so once cancelled
 * entries are the majority the queue drops them: left until their due time, they would make
 * the 180 s queue hold rate x 180 dead entries in the old generation, for the collector to mark.
 */
class DelayQueue {
  private entries: Entry[] = [];
  private head = 0;
  // Cancelled entries still in `entries` after `head`.
  private dead = 0;
  private action: Subscription | undefined;
  // While the due entries fire, timers they start must not arm a second action: run() arms
  // one for the head when it is done.
  private running = false;
  // What entries' due times count from.
  private epoch: number;

  constructor(
    private readonly delay: number,
    private readonly scheduler: SchedulerLike,
    private readonly onError: (err: unknown) => void,
  ) {
    this.epoch = scheduler.now();
  }

  start(fire: Fire, self: unknown): Timer {
    // Rounded up (never early) by Math.ceil, which also yields a small integer where the plain
    // difference of two clock readings would be a heap number, and make every entry's `due` one.
    const due = Math.ceil(this.scheduler.now() - this.epoch + this.delay);
    const entry = new Entry(due, fire, self, this, this.entries.length);
    this.entries.push(entry);
    if (!this.action && !this.running) this.arm(this.delay);
    return entry;
  }

  /** One of this queue's entries was cancelled before its time. */
  cancelled(entry: Entry): void {
    // Not there after dispose(): nothing to let go of.
    if (this.entries[entry.index] !== entry) return;
    this.entries[entry.index] = GONE;
    this.dead++;
    if (!this.running) this.compactIfMostlyDead();
  }

  // Amortised O(1) per cancel: a compaction keeps fewer than half the entries it walks.
  private compactIfMostlyDead(): void {
    if (this.dead < COMPACT_MIN || this.dead * 2 < this.entries.length - this.head) return;
    const live: Entry[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i] as Entry;
      if (entry.fire !== undefined) {
        entry.index = live.length;
        live.push(entry);
      }
    }
    this.entries = live;
    this.head = 0;
    this.dead = 0;
  }

  private arm(delay: number): void {
    this.action = this.scheduler.schedule(() => this.run(), Math.max(0, delay));
  }

  private run(): void {
    this.action = undefined;
    const now = this.scheduler.now();
    this.running = true;
    try {
      this.fireDue(now);
    } finally {
      this.running = false;
    }
    this.dropDeadHead();
    this.compactIfMostlyDead();
    if (this.head > COMPACT_MIN && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
      for (let i = 0; i < this.entries.length; i++) (this.entries[i] as Entry).index = i;
    }
    const next = this.entries[this.head];
    if (next) {
      if (now - this.epoch > EPOCH_SPAN) this.moveEpoch(now);
      this.arm(next.due - (now - this.epoch));
    } else {
      this.entries = [];
      this.head = 0;
      this.dead = 0;
      this.epoch = now;
    }
  }

  private moveEpoch(now: number): void {
    // A whole number of milliseconds, so that the shifted due times stay small integers.
    const shift = Math.floor(now - this.epoch);
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i] as Entry;
      if (entry !== GONE) entry.due -= shift;
    }
    this.epoch += shift;
  }

  // Cancelled entries at the head go now, whatever their due time: arming for one would wake
  // the process for nothing. RFC 3261's short timers are nearly all cancelled (Timer A or E at
  // the first response, the 100 Trying delay when the answer comes first), and woken for each,
  // a queue cost one idle wake-up per call at a low call rate.
  private dropDeadHead(): void {
    while (this.head < this.entries.length && (this.entries[this.head] as Entry).fire === undefined) {
      this.head++;
      this.dead--;
    }
  }

  private fireDue(now: number): void {
    const at = now - this.epoch;
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head] as Entry;
      if (entry.due > at) break;
      this.entries[this.head++] = GONE;
      const fire = entry.fire;
      if (fire === undefined) {
        this.dead--;
        continue;
      }
      const self = entry.self;
      entry.fire = undefined;
      entry.self = undefined;
      try {
        fire.call(self);
      } catch (err) {
        // One failing timer must not stop the others due now, nor escape into the scheduler.
        this.onError(err);
      }
    }
  }

  get pending(): number {
    return this.entries.length - this.head - this.dead;
  }

  get retained(): number {
    return this.entries.length - this.head;
  }

  dispose(): void {
    this.action?.unsubscribe();
    this.action = undefined;
    this.entries = [];
    this.head = 0;
    this.dead = 0;
  }
}

/** Timers on an injected RxJS scheduler (docs/architecture.md: time is injected). */
export class TimerService {
  private readonly queues = new Map<number, DelayQueue>();

  /** `onError` hears what a timer's callback threw (the default rethrows, for tests). */
  constructor(
    readonly scheduler: SchedulerLike,
    private readonly onError: (err: unknown) => void = (err) => {
      throw err;
    },
  ) {}

  /**
   * Calls `fire` after `delay` ms unless cancelled first; with `self`, as its method
   * (`start(t, this.timerA, this)`), which costs no closure.
   */
  start(delay: number, fire: () => void): Timer;
  start<T>(delay: number, fire: (this: T) => void, self: T): Timer;
  start(delay: number, fire: Fire, self?: unknown): Timer {
    let queue = this.queues.get(delay);
    if (!queue) {
      queue = new DelayQueue(delay, this.scheduler, this.onError);
      this.queues.set(delay, queue);
    }
    return queue.start(fire, self);
  }

  /** Timers started, neither fired nor cancelled. */
  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.pending;
    return n;
  }

  /** @internal Entries the queues hold: the pending timers and cancelled ones not yet let go. */
  get retained(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.retained;
    return n;
  }

  dispose(): void {
    for (const q of this.queues.values()) q.dispose();
    this.queues.clear();
  }
}
