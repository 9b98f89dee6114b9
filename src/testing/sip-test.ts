import { deepStrictEqual } from 'node:assert';
import { type Logger, pino } from 'pino';
import { TestScheduler } from 'rxjs/testing';
import type { Engine } from '../engine/engine.js';
import { Srf, type SrfOptions } from '../srf/srf.js';
import { expectLadder, ladderOf } from './ladder.js';
import { MemoryEngine, type MemoryEngineOptions } from './memory-engine.js';
import { type CalleeScript, ScriptedCallee } from './scripted-callee.js';
import { ScriptedCaller } from './scripted-caller.js';
import { ScriptedRegisterer } from './scripted-registerer.js';
import { type NetworkConditions, VirtualNetwork } from './virtual-network.js';
import { driveVirtualTime, enterVirtualTime } from './virtual-time.js';

/** The marble helpers of `TestScheduler.run`. */
export type MarbleHelpers = Parameters<Parameters<TestScheduler['run']>[0]>[0];

/** How a test's network and parties behave. */
export interface SipTestOptions extends NetworkConditions {
  /** Random numbers in [0, 1) for every Srf (RSeq starts, glare back-off); default 0.5. */
  random?: () => number;
  /** The logger the parties use (default silent). */
  logger?: Logger;
}

/** What a call-flow test works with: a virtual network in virtual time, the app, scripted peers. */
export interface SipTestKit {
  /** The virtual clock (1 frame = 1 ms). */
  readonly scheduler: TestScheduler;
  /** The network every party is on; `packets` records what crossed it. */
  readonly network: VirtualNetwork;
  /** Party names by address, for the ladder. */
  readonly names: Map<string, string>;
  /** The marble helpers (`hot`, `cold`, `expectObservable`, ...); in {@link sipTest} only. */
  readonly marbles: MarbleHelpers;
  /**
   * An engine named `name` at `address`:5060 on the network, for an Srf of your own.
   *
   * @param name - the party's name in the ladder
   * @param address - its IP address on the virtual network
   * @param options - port, protocols, timers, limits, policy of the engine
   * @returns the engine, to `attach` an Srf to
   */
  engine(name: string, address: string, options?: Partial<MemoryEngineOptions>): Engine;
  /**
   * The application's Srf at 10.0.0.2 (`app` in the ladder), or one made by `make` (an Srf
   * subclass, such as rxsip/drachtio's) with the kit's scheduler, random and logger.
   *
   * @param options - another `name` or `address`, and `make` to build an Srf subclass
   * @returns the Srf, attached to an engine on the network
   */
  app<S extends Srf = Srf>(options?: {
    name?: string;
    address?: string;
    make?: (options: SrfOptions) => S;
  }): S;
  /**
   * A caller at `address` (default 10.0.1.n).
   *
   * @param name - its name in the ladder and the user part of its URI
   * @param address - its IP address; the next free 10.0.1.n when omitted
   * @returns the scripted caller
   */
  caller(name: string, address?: string): ScriptedCaller;
  /**
   * A callee at `address` (default 10.0.1.n) taking calls as `script` says.
   *
   * @param name - its name in the ladder and the user part of its URI
   * @param script - how it takes calls: ring, answer after, reject, challenge, hang up
   * @param address - its IP address; the next free 10.0.1.n when omitted
   * @returns the scripted callee
   */
  callee(name: string, script?: CalleeScript, address?: string): ScriptedCallee;
  /**
   * A registering client at `address` (default 10.0.1.n).
   *
   * @param name - its name in the ladder and the user of its address of record
   * @param address - its IP address; the next free 10.0.1.n when omitted
   * @returns the scripted registerer
   */
  registerer(name: string, address?: string): ScriptedRegisterer;
  /**
   * Runs `fn` at `ms` of virtual time.
   *
   * @param ms - the virtual time, in ms since the test began (now, if already past)
   * @param fn - what to do then
   */
  at(ms: number, fn: () => void): void;
  /**
   * Resolves after `ms` of virtual time ({@link sipTestAsync}).
   *
   * @param ms - how long to wait, in ms of virtual time
   * @returns a promise that resolves once the clock has moved on by `ms`
   */
  wait(ms: number): Promise<void>;
  /**
   * The SIP ladder so far: `time from->to what`.
   *
   * @returns one line per message that crossed the network, in order
   */
  ladder(): string[];
  /**
   * Asserts the ladder, printing it with the first divergence marked when it differs.
   *
   * @param expected - the lines expected, with or without leading times
   */
  expectLadder(expected: readonly string[]): void;
}

function makeKit(
  scheduler: TestScheduler,
  marbles: MarbleHelpers | undefined,
  options: SipTestOptions,
): SipTestKit {
  const network = new VirtualNetwork(scheduler, options);
  const names = new Map<string, string>();
  const logger = options.logger ?? pino({ level: 'silent' });
  const random = options.random ?? (() => 0.5);
  let nextHost = 1;
  const addressFor = (address?: string) => address ?? `10.0.1.${nextHost++}`;
  const engine = (name: string, address: string, engineOptions: Partial<MemoryEngineOptions> = {}) => {
    names.set(`${address}:${engineOptions.port ?? 5060}`, name);
    names.set(address, name);
    return new MemoryEngine(network, { logger, ...engineOptions, address });
  };
  const peer = (name: string, address: string) =>
    new Srf({ logger, scheduler, random }).attach(engine(name, address));
  const kit: SipTestKit = {
    scheduler,
    network,
    names,
    get marbles(): MarbleHelpers {
      if (!marbles) throw new Error('marble helpers are for sipTest (synchronous); sipTestAsync has wait()');
      return marbles;
    },
    engine,
    app: <S extends Srf = Srf>(
      appOptions: { name?: string; address?: string; make?: (options: SrfOptions) => S } = {},
    ): S => {
      const make = appOptions.make ?? ((o: SrfOptions) => new Srf(o) as S);
      return make({ logger, scheduler, random }).attach(
        engine(appOptions.name ?? 'app', appOptions.address ?? '10.0.0.2'),
      ) as S;
    },
    caller: (name, address) => {
      const at = addressFor(address);
      return new ScriptedCaller(name, at, peer(name, at), scheduler);
    },
    callee: (name, script, address) => {
      const at = addressFor(address);
      return new ScriptedCallee(name, at, peer(name, at), scheduler, script);
    },
    registerer: (name, address) => {
      const at = addressFor(address);
      return new ScriptedRegisterer(name, at, peer(name, at), scheduler);
    },
    at: (ms, fn) => {
      scheduler.schedule(fn, Math.max(0, ms - scheduler.now()));
    },
    wait: (ms) => new Promise<void>((resolve) => scheduler.schedule(() => resolve(), ms)),
    ladder: () => ladderOf(network, names),
    expectLadder: (expected) => expectLadder(ladderOf(network, names), expected),
  };
  return kit;
}

// A failing call-flow test shows the call: the ladder goes under the error.
function withLadder(err: unknown, kit: SipTestKit | undefined): unknown {
  if (!(err instanceof Error) || !kit || err.message.includes('SIP ladder')) return err;
  err.message += `\n\nSIP ladder:\n${kit.ladder().join('\n') || '(nothing was sent)'}`;
  return err;
}

/**
 * Runs a call-flow test in virtual time (1 frame = 1 ms) with marble helpers: every SIP timer,
 * every `timer()` of the application, the 32 s transaction clocks and the session timers run in
 * milliseconds. Every timer left runs once `body` returns, then marble expectations are checked.
 * On a failure the call's SIP ladder is printed under the error.
 *
 * @param body - sets up the app and the peers, and states the expectations
 * @param options - network latency and loss, random numbers, logger
 * @returns the kit, for assertions once everything has run
 * @example
 * ```ts
 * import { asUas } from 'rxsip';
 * import { sipTest } from 'rxsip/testing';
 *
 * const localSdp = 'v=0\r\no=app 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n';
 * const kit = sipTest(({ app, caller, marbles }) => {
 *   app().invite$.pipe(asUas({ localSdp })).subscribe();
 *   const call = caller('alice').call('sip:app@10.0.0.2', { hangUpAfter: 1000 });
 *   // The 200 is back at 2 ms (1 ms each way); the BYE goes at 1002 ms.
 *   marbles.expectObservable(call.events$).toBe('2ms a 999ms (h|)', { a: 'answered', h: 'hung up' });
 * });
 * kit.expectLadder(['alice->app INVITE', 'app->alice 200 OK', 'alice->app ACK', 'alice->app BYE', 'app->alice 200 OK']);
 * ```
 */
export function sipTest(body: (kit: SipTestKit) => void, options: SipTestOptions = {}): SipTestKit {
  const scheduler = new TestScheduler((actual, expected) => deepStrictEqual(actual, expected));
  let kit: SipTestKit | undefined;
  try {
    scheduler.run((helpers) => {
      kit = makeKit(scheduler, helpers, options);
      body(kit);
    });
  } catch (err) {
    throw withLadder(err, kit);
  }
  return kit as SipTestKit;
}

/**
 * Runs a call-flow test in virtual time, one timer at a time, letting Promises settle between
 * timers: for the Promise and callback forms (`srf.call()`, `dialog.end()`, rxsip/drachtio's
 * `createUAS`). `await kit.wait(ms)` moves the clock; the test takes milliseconds. On a failure
 * the SIP ladder is printed under the error.
 *
 * @param body - the test, async
 * @param options - network latency and loss, random numbers, logger
 * @returns the kit, once everything has run
 * @example
 * ```ts
 * import { firstValueFrom } from 'rxjs';
 * import { sipTestAsync } from 'rxsip/testing';
 *
 * declare const localSdp: string;
 * await sipTestAsync(async ({ app, callee }) => {
 *   const bob = callee('bob', { hangUpAfter: 5000 });
 *   const dialog = await app().call(bob.uri, { localSdp });
 *   await firstValueFrom(dialog.ended$); // at 5 s of virtual time
 * });
 * ```
 */
export async function sipTestAsync(
  body: (kit: SipTestKit) => Promise<void>,
  options: SipTestOptions = {},
): Promise<SipTestKit> {
  const scheduler = new TestScheduler(() => undefined);
  const leave = enterVirtualTime(scheduler);
  const kit = makeKit(scheduler, undefined, options);
  try {
    await driveVirtualTime(scheduler, () => body(kit));
  } catch (err) {
    throw withLadder(err, kit);
  } finally {
    leave();
  }
  return kit;
}
