// `npm run bench` runs every scenario; `npm run bench -- <name> [...]` runs the named ones;
// `--quick` shortens the rounds (a smoke check: its figures are not written to bench/results/
// unless `--save` is given too); `--profile` runs the rxsip process of the named scenarios under
// `node --cpu-prof` and summarizes the profile; `--list` lists the scenarios.
// Each scenario prints a table and writes bench/results/<name>.json (<name>-profile.json with
// --profile); the chart bench/results/calls.svg is redrawn from all the saved call ramps.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import b2bua from './b2bua/index.js';
import cluster from './cluster/index.js';
import dialogs from './dialogs/index.js';
import drachtioServer from './drachtio-server/index.js';
import { writeCallsChart } from './lib/chart.js';
import { describeMachine, gitRevision, machineInfo } from './lib/machine.js';
import { buildForBench } from './lib/processes.js';
import { formatGoals, formatTable } from './lib/report.js';
import { RUN_RESULTS, type Scenario } from './lib/scenario.js';
import options from './options/index.js';
import parse from './parse/index.js';
import proxy from './proxy/index.js';
import uas from './uas/index.js';

/** Every scenario, in the order `npm run bench` runs them. Add new ones here. */
const SCENARIOS: readonly Scenario[] = [parse, uas, b2bua, proxy, options, dialogs, drachtioServer, cluster];
/** Run only when named (`npm run bench -- cluster`): several node processes and Kamailio on two cores. */
const ON_REQUEST = new Set(['cluster']);

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

function usage(): string {
  const list = SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join('\n');
  return `usage: npm run bench [-- [--quick] [--save] [--profile] [scenario...]]\nscenarios:\n${list}`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const names = args.filter((a) => !a.startsWith('--'));
  const known = new Set(['--quick', '--save', '--profile', '--list', '--help']);
  const unknownFlag = [...flags].find((f) => !known.has(f));
  if (flags.has('--list') || flags.has('--help') || unknownFlag) {
    if (unknownFlag) console.error(`unknown flag ${unknownFlag}`);
    console.log(usage());
    return unknownFlag ? 1 : 0;
  }
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`unknown scenario: ${unknown.join(', ')}\n${usage()}`);
    return 1;
  }
  const profile = flags.has('--profile');
  const selected = (
    names.length
      ? SCENARIOS.filter((s) => names.includes(s.name))
      : SCENARIOS.filter((s) => !ON_REQUEST.has(s.name))
  ).filter((s) => !profile || s.profiles);
  if (selected.length === 0) {
    console.error(`--profile applies to: ${SCENARIOS.filter((s) => s.profiles).map((s) => s.name)}`);
    return 1;
  }
  const quick = flags.has('--quick');
  buildForBench();
  const save = !quick || flags.has('--save');
  const machine = machineInfo();
  const began = Date.now();
  console.log(`machine: ${describeMachine(machine)}`);
  if (machine.load >= 0.5)
    console.log('warning: the machine is busy (load average >= 0.5); figures will be low and noisy');
  for (const scenario of selected) {
    const mode = [quick ? 'quick' : '', profile ? 'profile' : ''].filter(Boolean).join(', ');
    console.log(`\n== ${scenario.name}: ${scenario.description}${mode ? ` (${mode})` : ''}`);
    const scenarioBegan = Date.now();
    const result = await scenario.run({ quick, profile });
    RUN_RESULTS.set(scenario.name, result);
    const seconds = Math.round((Date.now() - scenarioBegan) / 1000);
    console.log(`\n${formatTable(result.rows)}`);
    for (const table of result.tables ?? []) console.log(`\n${table.title}:\n${formatTable(table.rows)}`);
    if (result.goals?.length) console.log(`\n${formatGoals(result.goals)}`);
    for (const note of result.notes ?? []) console.log(`note: ${note}`);
    if (save) {
      mkdirSync(resultsDir, { recursive: true });
      const file = join(resultsDir, `${scenario.name}${profile ? '-profile' : ''}.json`);
      const record = {
        scenario: scenario.name,
        description: scenario.description,
        date: new Date().toISOString(),
        command: `npm run bench -- ${scenario.name}${profile ? ' --profile' : ''}`,
        machine,
        git: gitRevision(),
        quick,
        seconds,
        ...result,
      };
      writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      console.log(`\nwrote ${file}`);
    }
    console.log(`(${scenario.name}: ${seconds} s)`);
  }
  if (save && !profile) {
    const chart = writeCallsChart(resultsDir);
    if (chart) console.log(`\nwrote ${chart}`);
  }
  console.log(`\nbench: ${Math.round((Date.now() - began) / 1000)} s`);
  return 0;
}

process.exitCode = await main();
