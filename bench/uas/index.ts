// The UAS example (examples/uas) answering SIPp's standard calls, against SIPp's own built-in UAS
// (a C endpoint doing the minimum) measured in the same run.
import { ceilingGoal, plan, profileScenario, rateGoal, runCallBench } from '../lib/calls.js';
import type { Goal, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { RxsipSystem, SippReference } from '../lib/systems.js';

/** The goals for the UAS. */
const GOALS = { rate: 5000, p99At: 2000, p99Ms: 10, cpuPerCall: 150 };

const scenario: Scenario = {
  name: 'uas',
  description: 'examples/uas under SIPp calls (INVITE…BYE) vs SIPp built-in UAS',
  profiles: true,
  async run({ quick, profile }): Promise<ScenarioResult> {
    requireSipp();
    const rxsipPlan = plan(quick, 'uac', { start: 1000, max: 16000, anchors: [GOALS.p99At], jit: true });
    const rxsip = (nodeFlags: string[] = []) => new RxsipSystem('rxsip UAS', 'uas', { nodeFlags });
    if (profile) return profileScenario('uas', rxsip, rxsipPlan, GOALS.p99At);

    const {
      rxsip: r,
      reference,
      result,
    } = await runCallBench(
      [
        { system: rxsip(), plan: rxsipPlan },
        {
          system: new SippReference('SIPp UAS (reference)', 'uas', true),
          plan: plan(quick, 'uac', { start: 4000, max: 20000, jit: false }),
        },
      ],
      'calls',
    );
    const anchor = r.steps.find((s) => s.phase === 'anchor' && s.offered === GOALS.p99At);
    const goals: Goal[] = [
      rateGoal('UAS: clean calls/s', GOALS.rate, r.best, 'calls'),
      ceilingGoal(`UAS: p99 INVITE→200 at ${GOALS.p99At} calls/s`, GOALS.p99Ms, anchor?.p99 ?? null, 'ms'),
      ceilingGoal(
        'UAS: CPU per call at its max clean rate',
        GOALS.cpuPerCall,
        r.best?.cpuPerCall ?? null,
        'µs',
      ),
    ];
    if (reference?.best && r.best)
      result.notes?.push(
        `rxsip UAS / SIPp UAS: ${(r.best.offered / reference.best.offered).toFixed(2)}x the clean rate, ` +
          `${((r.best.cpuPerCall ?? 0) / (reference.best.cpuPerCall ?? 1)).toFixed(2)}x the CPU per call.`,
        'The UAS example answers 200 straight away (no 100 or 180); SIPp built-in UAS sends 180 then 200.',
      );
    if (anchor && !anchor.clean)
      result.notes?.push(`the ${GOALS.p99At} calls/s step was not clean: ${anchor.reason}`);
    return { ...result, goals };
  },
};

export default scenario;
