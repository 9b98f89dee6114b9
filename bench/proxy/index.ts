// The proxy example (examples/proxy: stateful, Record-Route) between a SIPp caller and a SIPp
// callee, against Kamailio doing the same (tm's t_relay and record_route, two UDP workers:
// bench/kamailio/kamailio.cfg) in the same run. The callee copies Record-Route into its
// responses, so the caller's ACK and BYE come back through the proxy.
import { plan, profileScenario, runCallBench } from '../lib/calls.js';
import { kamailioVersion, requireKamailio } from '../lib/processes.js';
import type { Goal, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { KamailioReference, RxsipSystem } from '../lib/systems.js';

const scenario: Scenario = {
  name: 'proxy',
  description: 'examples/proxy (stateful, Record-Route) vs Kamailio, SIPp on both sides',
  profiles: true,
  async run({ quick, profile }): Promise<ScenarioResult> {
    requireSipp();
    const rxsipPlan = plan(quick, 'uac', { start: 500, max: 16000, jit: true });
    const rxsip = (nodeFlags: string[] = []) =>
      new RxsipSystem('rxsip proxy', 'proxy', { callee: true, nodeFlags });
    if (profile) return profileScenario('proxy', rxsip, rxsipPlan, 1000);

    requireKamailio();
    const version = kamailioVersion();
    const {
      rxsip: r,
      reference,
      result,
    } = await runCallBench(
      [
        { system: rxsip(), plan: rxsipPlan },
        {
          system: new KamailioReference(`${version} (reference)`),
          plan: plan(quick, 'uac', { start: 1000, max: 16000, jit: false }),
        },
      ],
      'calls',
    );
    const kamailioRate = reference?.best?.offered ?? 0;
    const measured = r.best?.offered ?? 0;
    const goals: Goal[] = [
      {
        goal: 'proxy: clean calls/s, at least Kamailio’s',
        target: kamailioRate,
        measured,
        met: kamailioRate > 0 && measured >= kamailioRate,
        unit: 'calls/s',
      },
    ];
    if (reference?.best?.cpuPerCall && r.best?.cpuPerCall)
      result.notes?.push(
        `CPU per call at each one's max clean rate: rxsip ${r.best.cpuPerCall} µs, Kamailio ` +
          `${reference.best.cpuPerCall} µs (${(r.best.cpuPerCall / reference.best.cpuPerCall).toFixed(2)}x).`,
      );
    result.notes?.push(
      'Kamailio: children=2 (two UDP workers) plus its timer and main processes, all counted; its',
      'peak memory is the proportional set size of all its processes (shared memory counted once).',
      'Kamailio answers the INVITE with 100 Trying; the rxsip proxy sends none (180 and 200 only).',
    );
    return { ...result, goals };
  },
};

export default scenario;
