// OPTIONS transactions per second: SIPp sends OPTIONS to the UAS example, whose stack answers
// 200 itself (RFC 3261 §11.2, no application handler), against a SIPp OPTIONS responder
// (bench/sipp/options-uas.xml) in the same run.
import { plan, profileScenario, runCallBench } from '../lib/calls.js';
import type { Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { RxsipSystem, SippReference } from '../lib/systems.js';

const scenario: Scenario = {
  name: 'options',
  description: 'OPTIONS transactions/s to examples/uas vs a SIPp responder',
  profiles: true,
  async run({ quick, profile }): Promise<ScenarioResult> {
    requireSipp();
    const rxsipPlan = plan(quick, 'options', { start: 2000, max: 32000, jit: true, holdSeconds: 10 });
    const rxsip = (nodeFlags: string[] = []) => new RxsipSystem('rxsip OPTIONS', 'uas', { nodeFlags });
    if (profile) return profileScenario('options', rxsip, rxsipPlan, 4000);

    const { result } = await runCallBench(
      [
        { system: rxsip(), plan: rxsipPlan },
        {
          system: new SippReference('SIPp responder (reference)', 'options-uas', false),
          // Two held steps: it reaches the caller's 32,000/s cap, where a third would measure nothing new.
          plan: {
            ...plan(quick, 'options', { start: 8000, max: 32000, jit: false, holdSeconds: 10 }),
            maxHolds: 2,
          },
        },
      ],
      'transactions',
    );
    result.notes?.push('Here a "call" is one OPTIONS transaction (request and 200).');
    return result;
  },
};

export default scenario;
