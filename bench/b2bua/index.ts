// The B2BUA example (examples/b2bua) between a SIPp caller and a SIPp callee: each call is two
// dialogs, the caller's INVITE bridged to a new INVITE to the callee, ACK and BYE relayed. The UAS
// example is measured at the same offered rate in the same run, for the CPU ratio; the max clean
// rate is compared with the UAS scenario's of this run.
import {
  anchorStep,
  plan,
  profileScenario,
  ratioFloorGoal,
  ratioGoal,
  runCallBench,
  steadyStep,
  stepRows,
} from '../lib/calls.js';
import { type Goal, RUN_RESULTS, type Scenario, type ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { NodeFloorReference, RxsipSystem } from '../lib/systems.js';

/** The goals for the B2BUA, against the UAS example. */
const GOALS = { anchor: 300, cpuVsUas: 1.6, rateVsUas: 0.5, rssPerCallKiB: 10, steadySeconds: 12 };

const scenario: Scenario = {
  name: 'b2bua',
  description: 'examples/b2bua between a SIPp caller and a SIPp callee, vs examples/uas at the same rate',
  profiles: true,
  async run({ quick, profile }): Promise<ScenarioResult> {
    requireSipp();
    const anchors = quick ? [] : [GOALS.anchor];
    const rxsipPlan = plan(quick, 'uac', { start: 500, max: 8000, anchors, jit: true });
    const rxsip = (nodeFlags: string[] = []) =>
      new RxsipSystem('rxsip B2BUA', 'b2bua', { callee: true, nodeFlags });
    if (profile) return profileScenario('b2bua', rxsip, rxsipPlan, 1000);

    const {
      ramps,
      rxsip: r,
      result,
    } = await runCallBench(
      [
        { system: rxsip(), plan: rxsipPlan },
        {
          system: new RxsipSystem('rxsip UAS (same rate)', 'uas'),
          plan: { ...plan(quick, 'uac', { start: 1000, max: 16000, anchors, jit: true }), anchorsOnly: true },
        },
        // The two Node floors at the same rate: the least a Node B2BUA costs over a Node UAS.
        {
          system: new NodeFloorReference('Node B2BUA floor (reference)', 'b2bua/node-floor.cjs'),
          plan: { ...plan(quick, 'uac', { start: 1000, max: 16000, anchors, jit: true }), anchorsOnly: true },
        },
        {
          system: new NodeFloorReference('Node UAS floor (reference)'),
          plan: { ...plan(quick, 'uac', { start: 1000, max: 16000, anchors, jit: true }), anchorsOnly: true },
        },
      ],
      'calls',
    );
    const uas = ramps.find((x) => x.system.startsWith('rxsip UAS'));
    const mine = anchorStep(r, GOALS.anchor);
    // Resident memory over a steady run: one continuous step at the anchor rate.
    const steady = anchors.length
      ? await steadyStep(rxsip(), rxsipPlan, GOALS.anchor, GOALS.steadySeconds)
      : undefined;
    const uasMax = RUN_RESULTS.get('uas')?.rows.find((row) => row.system === 'rxsip UAS')?.[
      'max clean calls/s'
    ];
    const goals: Goal[] = [];
    if (anchors.length)
      goals.push(
        ratioGoal(
          `B2BUA CPU/call ÷ the UAS example's at ${GOALS.anchor} calls/s`,
          GOALS.cpuVsUas,
          mine?.cpuPerCall ?? null,
          anchorStep(uas, GOALS.anchor)?.cpuPerCall ?? null,
        ),
        {
          goal: `B2BUA RSS growth over a steady ${GOALS.anchor} calls/s step (${GOALS.steadySeconds} s), per call`,
          target: GOALS.rssPerCallKiB,
          // Only a clean step says what a steady run does.
          measured: (steady?.clean && steady.rssGrowthPerCallKiB) || Number.NaN,
          met:
            !!steady?.clean &&
            (steady.rssGrowthPerCallKiB ?? Number.POSITIVE_INFINITY) <= GOALS.rssPerCallKiB,
          unit: 'KiB',
          kind: 'at most',
        },
      );
    if (typeof uasMax === 'number')
      goals.push(
        ratioFloorGoal(
          "B2BUA max clean rate ÷ the UAS's (this run)",
          GOALS.rateVsUas,
          r.best?.offered ?? null,
          uasMax,
          r.atLeast,
        ),
      );
    else result.notes?.push("The max clean rate ratio to the UAS's needs the uas scenario in the same run.");
    if (anchors.length) {
      const b2bFloor = ramps.find((x) => x.system.startsWith('Node B2BUA floor'));
      const uasFloor = ramps.find((x) => x.system.startsWith('Node UAS floor'));
      const cpu = (ramp: typeof uas) => anchorStep(ramp, GOALS.anchor)?.cpuPerCall ?? null;
      const ratio = (x: number | null, y: number | null) => (x && y ? Number((x / y).toFixed(2)) : null);
      result.tables = [
        ...(result.tables ?? []),
        {
          title: `CPU per call at ${GOALS.anchor} calls/s (µs): each B2BUA over its UAS, rxsip and the Node floors`,
          rows: [
            {
              '': 'rxsip',
              B2BUA: cpu(r),
              UAS: cpu(uas),
              'B2BUA / UAS': ratio(cpu(r), cpu(uas)),
            },
            {
              '': 'Node floor',
              B2BUA: cpu(b2bFloor),
              UAS: cpu(uasFloor),
              'B2BUA / UAS': ratio(cpu(b2bFloor), cpu(uasFloor)),
            },
            {
              '': 'rxsip / floor',
              B2BUA: ratio(cpu(r), cpu(b2bFloor)),
              UAS: ratio(cpu(uas), cpu(uasFloor)),
              'B2BUA / UAS': null,
            },
          ],
        },
      ];
      result.notes?.push(
        'The Node floors (bench/b2bua/node-floor.cjs, bench/uas/node-floor.cjs) do the least a Node process can for the same calls: their B2BUA / UAS ratio is the least any Node B2BUA can show against a Node UAS.',
      );
    }
    if (steady)
      result.tables = [
        ...(result.tables ?? []),
        {
          title: 'the steady step',
          rows: stepRows([{ ...r, steps: [steady] }], 'calls').map((row) => ({
            ...row,
            'RSS growth KiB/call': steady.rssGrowthPerCallKiB,
          })),
        },
      ];
    result.notes?.push(
      `RSS growth per call: resident memory at the end of one continuous ${GOALS.anchor} calls/s step of ${GOALS.steadySeconds} s (after a warm-up) minus at its start, over its calls.`,
      'The callee is SIPp (bench/sipp/uas.xml); its CPU is in the steps JSON (helperCpuPercent).',
    );
    return { ...result, goals };
  },
};

export default scenario;
