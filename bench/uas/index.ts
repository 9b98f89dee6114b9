// The UAS example (examples/uas) answering SIPp's standard calls, against two references measured
// in the same run: the Node floor (bench/uas/node-floor.cjs, a Node UDP responder with canned
// 180/200 and no state) and SIPp's own built-in UAS (a C endpoint doing the minimum). CPU per call
// is compared at the same offered rates (200 and 1,000 calls/s, where per-wakeup costs differ),
// so the ratios hold from a slow machine to a fast one.
import {
  anchorStep,
  ceilingGoal,
  plan,
  profileScenario,
  ratioFloorGoal,
  ratioGoal,
  runCallBench,
} from '../lib/calls.js';
import type { Goal, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { NodeFloorReference, RxsipSystem, SippReference } from '../lib/systems.js';

/** The goals for the UAS, as ratios to the references in the same run. */
const GOALS = { anchors: [200, 1000], vsFloor: 2.0, vsSipp: 2.5, rateVsSipp: 0.5, p99Ms: 10 };

const scenario: Scenario = {
  name: 'uas',
  description: 'examples/uas under SIPp calls (INVITE…BYE) vs the Node floor and SIPp built-in UAS',
  profiles: true,
  async run({ quick, profile }): Promise<ScenarioResult> {
    requireSipp();
    const anchors = quick ? [] : GOALS.anchors;
    const rxsipPlan = plan(quick, 'uac', { start: 1000, max: 16000, anchors, halfStep: !quick, jit: true });
    const rxsip = (nodeFlags: string[] = []) => new RxsipSystem('rxsip UAS', 'uas', { nodeFlags });
    if (profile) return profileScenario('uas', rxsip, rxsipPlan, 1000);

    const {
      ramps,
      rxsip: r,
      result,
    } = await runCallBench(
      [
        { system: rxsip(), plan: rxsipPlan },
        {
          system: new NodeFloorReference('Node floor (reference)'),
          // Its CPU per call at the anchors is the goal's floor; its own max clean rate is no goal's,
          // and ramping it cost a minute of the bench's 15 (quick runs, without anchors, ramp it).
          plan: {
            ...plan(quick, 'uac', { start: 2000, max: 20000, anchors, jit: true }),
            maxHolds: 2,
            anchorsOnly: !quick,
          },
        },
        {
          system: new SippReference('SIPp UAS (reference)', 'uas', true),
          plan: { ...plan(quick, 'uac', { start: 4000, max: 20000, anchors, jit: false }), maxHolds: 2 },
        },
      ],
      'calls',
    );
    const floor = ramps.find((x) => x.system.startsWith('Node floor'));
    const sipp = ramps.find((x) => x.system.startsWith('SIPp'));
    const half = r.steps.find((s) => s.phase === 'half');
    const goals: Goal[] = [];
    for (const rate of anchors) {
      const mine = anchorStep(r, rate)?.cpuPerCall ?? null;
      goals.push(
        ratioGoal(
          `UAS CPU/call ÷ Node floor's at ${rate} calls/s`,
          GOALS.vsFloor,
          mine,
          anchorStep(floor, rate)?.cpuPerCall ?? null,
        ),
        ratioGoal(
          `UAS CPU/call ÷ SIPp UAS's at ${rate} calls/s`,
          GOALS.vsSipp,
          mine,
          anchorStep(sipp, rate)?.cpuPerCall ?? null,
        ),
      );
    }
    goals.push(
      ratioFloorGoal(
        "UAS max clean rate ÷ SIPp UAS's",
        GOALS.rateVsSipp,
        r.best?.offered ?? null,
        sipp?.best?.offered ?? null,
        r.atLeast,
      ),
      ceilingGoal(
        `UAS p99 INVITE→200 at half its max clean rate (${half?.offered ?? '-'} calls/s)`,
        GOALS.p99Ms,
        half?.clean ? half.p99 : null,
        'ms',
      ),
    );
    result.tables = [
      ...(result.tables ?? []),
      {
        title: 'CPU per call at the same offered rate (µs), and rxsip over each reference',
        rows: anchors.map((rate) => {
          const mine = anchorStep(r, rate)?.cpuPerCall ?? null;
          const f = anchorStep(floor, rate)?.cpuPerCall ?? null;
          const sp = anchorStep(sipp, rate)?.cpuPerCall ?? null;
          return {
            'calls/s': rate,
            'rxsip UAS': mine,
            'Node floor': f,
            'SIPp UAS': sp,
            'rxsip / floor': mine && f ? Number((mine / f).toFixed(2)) : null,
            'rxsip / SIPp': mine && sp ? Number((mine / sp).toFixed(2)) : null,
          };
        }),
      },
    ];
    result.notes?.push(
      'The UAS example answers 200 straight away (no 100 or 180); the Node floor and SIPp send 180 then 200.',
      'The half-rate step runs in a fresh process, warmed up as after a restart: right after the max clean step, its first 32 s would be spent letting go of what that step left.',
    );
    return { ...result, goals };
  },
};

export default scenario;
