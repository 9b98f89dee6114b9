// Draining a node before it stops (graceful shutdown behind a dispatcher): new calls and
// OPTIONS probes are refused with 503 and Retry-After, the dialogs up go on until they end or
// a deadline, then whatever is left is ended with BYE.
import { firstValueFrom, type Subscription, timer } from 'rxjs';
import { z } from 'zod';
import { Dialog } from '../dialogs/dialog.js';
import type { UserAgent } from '../dialogs/user-agent.js';
import { describeIssue } from '../engine/embedded-engine.js';
import type { InboundRequest } from '../engine/engine.js';
import { createResponse } from '../sip/build.js';

/** How `srf.drain()` drains: how long dialogs may go on, and what the 503 answers say. */
export interface DrainOptions {
  /**
   * How long dialogs may go on once the drain starts, in ms (default 30 000); then each one
   * still up is ended with BYE (reason `system-initiated-termination`).
   */
  deadline?: number;
  /** The Retry-After of the 503 answers, in seconds (default 30). */
  retryAfter?: number;
  /** How often the drain looks whether dialogs and calls being set up are left, in ms (default 100). */
  checkInterval?: number;
}

/** How a drain ended. */
export interface DrainResult {
  /** Dialogs the deadline ended with BYE (0 when every dialog ended by itself in time). */
  ended: number;
}

const schema = z.strictObject({
  deadline: z.number().int().min(0).optional(),
  retryAfter: z.number().int().min(0).optional(),
  checkInterval: z.number().int().positive().optional(),
});

// RFC 3261 §21.5.4: 503, with Retry-After, for what would start something new here: calls,
// subscriptions, transfers outside a dialog, and the OPTIONS a dispatcher probes with (RFC 3261
// §11: its answer tells whether the node takes calls).
const REFUSED = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'OPTIONS']);

// How long the BYEs sent at the deadline may take to be answered: a few UDP retransmissions.
const BYE_WAIT_MS = 4000;

/**
 * A node's drain: once started, new INVITE, SUBSCRIBE, REFER and OPTIONS requests outside a
 * dialog get 503 with Retry-After; requests inside dialogs, ACKs and CANCELs go on. It finishes
 * when no dialog and no INVITE transaction being set up is left, or at the deadline, once the
 * dialogs still up have been ended with BYE and their BYEs answered.
 */
export class Drain {
  private result: Promise<DrainResult> | undefined;
  private retryAfter = 30;

  /** @param ua - the user agent whose dialogs are drained */
  constructor(private readonly ua: UserAgent) {}

  /** True once the drain has started. */
  get active(): boolean {
    return this.result !== undefined;
  }

  /**
   * Answers a new request 503 with Retry-After while draining, when it would start something.
   *
   * @param inbound - a new request outside any dialog
   * @returns true when it was refused (and answered)
   */
  refuses(inbound: InboundRequest): boolean {
    if (!this.result || !REFUSED.has(inbound.message.method)) return false;
    inbound.respond(createResponse(inbound.message, 503, { headers: { 'Retry-After': this.retryAfter } }));
    return true;
  }

  /**
   * Starts the drain (a second call returns the first one's promise).
   *
   * @param options - deadline, Retry-After, check interval; a bad field is a `TypeError`
   * @returns resolves once nothing is left
   */
  start(options: DrainOptions): Promise<DrainResult> {
    const checked = schema.safeParse(options);
    if (!checked.success) throw new TypeError(describeIssue('drain options', checked.error.issues[0]));
    if (this.result) return this.result;
    this.retryAfter = options.retryAfter ?? 30;
    this.result = new Promise((resolve) => this.run(options, resolve));
    return this.result;
  }

  private run(options: DrainOptions, resolve: (result: DrainResult) => void): void {
    const { ua } = this;
    const deadline = options.deadline ?? 30_000;
    const interval = options.checkInterval ?? 100;
    ua.log.info({ dialogs: ua.dialogs.size, deadline }, 'draining: refusing new calls and probes with 503');
    let next: Subscription | undefined;
    let finished = false;
    const finish = (ended: number) => {
      if (finished) return;
      finished = true;
      next?.unsubscribe();
      atDeadline.unsubscribe();
      ua.log.info({ ended }, 'drained');
      resolve({ ended });
    };
    const check = () => {
      if (ua.dialogs.size === 0 && this.invitesPending() === 0) finish(0);
      else if (!finished) next = ua.scheduler.schedule(check, interval);
    };
    const atDeadline = ua.scheduler.schedule(() => {
      next?.unsubscribe();
      void this.endAll().then(finish);
    }, deadline);
    check();
  }

  // INVITE transactions without their final response yet: calls being set up, either way.
  private invitesPending(): number {
    const stats = this.ua.engine.stats?.();
    let pending = 0;
    for (const t of stats?.transactions ?? [])
      if (t.method === 'INVITE' && (t.state === 'proceeding' || t.state === 'calling')) pending += t.count;
    return pending;
  }

  // The deadline: every dialog still up is ended with BYE (a subscription with its NOTIFY or
  // SUBSCRIBE), and the drain ends once they are answered, or BYE_WAIT_MS later at most (a peer
  // that is gone would keep it for Timer F's 32 s).
  private async endAll(): Promise<number> {
    const { ua } = this;
    const dialogs = [...ua.dialogs.all()];
    if (dialogs.length > 0) ua.log.warn({ dialogs: dialogs.length }, 'drain deadline: ending dialogs');
    const ends = dialogs.map((dialog) => {
      if (dialog instanceof Dialog) return dialog.end({ reason: 'system-initiated-termination' });
      dialog.shutDown();
      return undefined;
    });
    const answered = Promise.allSettled(ends).then((results) => {
      for (const end of results)
        if (end.status === 'rejected')
          ua.log.warn({ err: end.reason }, 'a dialog ended at the drain deadline failed');
    });
    await Promise.race([answered, firstValueFrom(timer(BYE_WAIT_MS, ua.scheduler))]);
    return dialogs.length;
  }
}
