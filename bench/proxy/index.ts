// The proxy example (examples/proxy: stateful, Record-Route) between a SIPp caller and a SIPp
// callee, against Kamailio doing the same (tm's t_relay and record_route, two UDP workers:
// bench/kamailio/kamailio.cfg) in the same run, twice: with its default allocator and with TLSF
// (`-x tlsf`, as production boxes run it). CPU per call is compared at the same offered rate.
// The callee copies Record-Route into its responses, so the caller's ACK and BYE come back
// through the proxy.
import { anchorStep, plan, profileScenario, ratioGoal, runCallBench } from '../lib/calls.js';
import { kamailioVersion, requireKamailio } from '../lib/processes.js';
import type { Goal, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { KamailioReference, RxsipSystem } from '../lib/systems.js';

/** The goals: rxsip's CPU per call over each Kamailio's, at the same rate. */
const GOALS = { anchor: 600, vsTlsf: 2.0, vsDefault: 0.6 };

const scenario: Scenario = {
  name: 'proxy',
  description: 'examples/proxy (stateful, Record-Route) vs Kamailio (default and TLSF), SIPp on both sides',
  profiles: true,
  async run({ quick, profile }): Promise<ScenarioResult> {
    requireSipp();
    const anchors = quick ? [] : [GOALS.anchor];
    const rxsipPlan = plan(quick, 'uac', { start: 500, max: 16000, anchors, jit: true });
    const rxsip = (nodeFlags: string[] = []) =>
      new RxsipSystem('rxsip proxy', 'proxy', { callee: true, nodeFlags });
    if (profile) return profileScenario('proxy', rxsip, rxsipPlan, 1000);

    requireKamailio();
    const version = kamailioVersion();
    const {
      ramps,
      rxsip: r,
      result,
    } = await runCallBench(
      [
        { system: rxsip(), plan: rxsipPlan },
        {
          // Only its CPU at the anchor is a goal's reference; the max clean rate to compare with is
          // the production allocator's (`-x tlsf`, ramped below), which keeps the bench in 15 minutes.
          system: new KamailioReference(`${version} (reference)`),
          plan: {
            ...plan(quick, 'uac', { start: 1000, max: 16000, anchors, jit: false }),
            maxHolds: 2,
            anchorsOnly: !quick,
          },
        },
        {
          system: new KamailioReference(`${version} -x tlsf (reference)`, 'tlsf'),
          plan: { ...plan(quick, 'uac', { start: 1000, max: 16000, anchors, jit: false }), maxHolds: 2 },
        },
      ],
      'calls',
    );
    const plain = ramps.find((x) => x.role === 'reference' && !x.system.includes('tlsf'));
    const tlsf = ramps.find((x) => x.system.includes('tlsf'));
    const mine = anchorStep(r, GOALS.anchor)?.cpuPerCall ?? null;
    const goals: Goal[] = anchors.length
      ? [
          ratioGoal(
            `proxy CPU/call ÷ Kamailio -x tlsf's at ${GOALS.anchor} calls/s`,
            GOALS.vsTlsf,
            mine,
            anchorStep(tlsf, GOALS.anchor)?.cpuPerCall ?? null,
          ),
          ratioGoal(
            `proxy CPU/call ÷ Kamailio's (default allocator) at ${GOALS.anchor} calls/s`,
            GOALS.vsDefault,
            mine,
            anchorStep(plain, GOALS.anchor)?.cpuPerCall ?? null,
          ),
        ]
      : [];
    result.notes?.push(
      'Kamailio: children=2 (two UDP workers) plus its timer and main processes, all counted; its',
      'peak memory is the proportional set size of all its processes (shared memory counted once).',
      'Both answer each INVITE with 100 Trying at once.',
    );
    return { ...result, goals };
  },
};

export default scenario;
