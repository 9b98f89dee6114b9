// drachtio-srf's createUAS app on rxsip's drachtio server (two processes: the server and the app,
// as with the C++ drachtio-server), against the same app's code on rxsip/drachtio (one process),
// under SIPp's standard calls. CPU per call is given for each process.
import { plan, runCallBench } from '../lib/calls.js';
import type { Step } from '../lib/ramp.js';
import type { Cell, Scenario, ScenarioResult } from '../lib/scenario.js';
import { requireSipp } from '../lib/sipp.js';
import { AppOnDrachtioServer, AppOnRxsipDrachtio } from './systems.js';

/** µs of CPU per successful call from a CPU percentage of one core over a step. */
function perCall(cpuPercent: number | null, step: Step): number | null {
  if (cpuPercent === null || step.achieved <= 0) return null;
  return Math.round(((cpuPercent / 100) * 1e6) / step.achieved);
}

const scenario: Scenario = {
  name: 'drachtio-server',
  description: 'drachtio-srf createUAS app on rxsip drachtio server vs the same app on rxsip/drachtio',
  async run({ quick }): Promise<ScenarioResult> {
    requireSipp();
    const rates = { start: 250, max: 8000, jit: true, holdSeconds: 10 };
    const { ramps, result } = await runCallBench(
      [
        { system: new AppOnDrachtioServer(), plan: plan(quick, 'uac', rates) },
        { system: new AppOnRxsipDrachtio(), plan: plan(quick, 'uac', rates) },
      ],
      'calls',
    );
    const processes: Record<string, Cell>[] = [];
    for (const r of ramps) {
      const best = r.best;
      if (!best) continue;
      const server = r.role === 'rxsip' ? best.cpuPerCall : null;
      const app = r.role === 'rxsip' ? perCall(best.helperCpuPercent, best) : best.cpuPerCall;
      processes.push({
        system: r.system,
        'at calls/s': best.offered,
        'server CPU µs/call': server,
        'app CPU µs/call': app,
        'total CPU µs/call': (server ?? 0) + (app ?? 0),
      });
    }
    result.tables = [
      { title: 'CPU per call by process (at each max clean rate)', rows: processes },
      ...(result.tables ?? []),
    ];
    result.notes?.push(
      'drachtio-srf app + rxsip drachtio server: "CPU µs/call" in the main table is the server process alone;',
      'the app process is in the table by process. On rxsip/drachtio the app and the SIP stack are one process.',
      'The app is plain JavaScript on the drachtio-srf npm package (node); the server and rxsip/drachtio run as tsc compiles them.',
    );
    return result;
  },
};

export default scenario;
