// The B2BUA example (examples/b2bua) between a SIPp caller and a SIPp callee: each call is two
// dialogs, the caller's INVITE bridged to a new INVITE to the callee, ACK and BYE relayed.
import { ceilingGoal, plan, profileScenario, rateGoal, runCallBench } from '../lib/calls.js';
import type { Goal, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { RxsipSystem } from '../lib/systems.js';

/** The goals for the B2BUA. */
const GOALS = { rate: 1500, cpuPerCall: 400 };

const scenario: Scenario = {
  name: 'b2bua',
  description: 'examples/b2bua between a SIPp caller and a SIPp callee',
  profiles: true,
  async run({ quick, profile }): Promise<ScenarioResult> {
    requireSipp();
    const rxsipPlan = plan(quick, 'uac', { start: 500, max: 8000, jit: true });
    const rxsip = (nodeFlags: string[] = []) =>
      new RxsipSystem('rxsip B2BUA', 'b2bua', { callee: true, nodeFlags });
    if (profile) return profileScenario('b2bua', rxsip, rxsipPlan, 1000);

    const { rxsip: r, result } = await runCallBench([{ system: rxsip(), plan: rxsipPlan }], 'calls');
    const goals: Goal[] = [
      rateGoal('B2BUA: clean calls/s', GOALS.rate, r.best, 'calls'),
      ceilingGoal(
        'B2BUA: CPU per call at its max clean rate',
        GOALS.cpuPerCall,
        r.best?.cpuPerCall ?? null,
        'µs',
      ),
    ];
    result.notes?.push(
      'No reference runs here: the callee is SIPp (bench/sipp/uas.xml), its CPU is in the steps JSON (helperCpuPercent).',
    );
    return { ...result, goals };
  },
};

export default scenario;
