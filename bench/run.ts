// `npm run bench` runs every scenario; `npm run bench -- <name> [...]` runs the named ones;
// `--quick` shortens the rounds (a smoke check: its figures are not written to bench/results/
// unless `--save` is given too); `--list` lists the scenarios.
// Each scenario prints a table and writes bench/results/<name>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, gitRevision, machineInfo } from './lib/machine.js';
import { formatGoals, formatTable } from './lib/report.js';
import type { Scenario } from './lib/scenario.js';
import parse from './parse/index.js';

/** Every scenario, in the order `npm run bench` runs them. Add new ones here. */
const SCENARIOS: readonly Scenario[] = [parse];

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

function usage(): string {
  const list = SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join('\n');
  return `usage: npm run bench [-- [--quick] [--save] [scenario...]]\nscenarios:\n${list}`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const names = args.filter((a) => !a.startsWith('--'));
  const known = new Set(['--quick', '--save', '--list', '--help']);
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
  const selected = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  const quick = flags.has('--quick');
  const save = !quick || flags.has('--save');
  const machine = machineInfo();
  console.log(`machine: ${describeMachine(machine)}`);
  if (machine.load >= 0.5)
    console.log('warning: the machine is busy (load average >= 0.5); figures will be low and noisy');
  for (const scenario of selected) {
    console.log(`\n== ${scenario.name}: ${scenario.description}${quick ? ' (quick)' : ''}`);
    const result = await scenario.run({ quick });
    console.log(`\n${formatTable(result.rows)}`);
    if (result.goals?.length) console.log(`\n${formatGoals(result.goals)}`);
    for (const note of result.notes ?? []) console.log(`note: ${note}`);
    if (save) {
      mkdirSync(resultsDir, { recursive: true });
      const file = join(resultsDir, `${scenario.name}.json`);
      const record = {
        scenario: scenario.name,
        description: scenario.description,
        date: new Date().toISOString(),
        command: `npm run bench -- ${scenario.name}`,
        machine,
        git: gitRevision(),
        quick,
        ...result,
      };
      writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      console.log(`\nwrote ${file}`);
    }
  }
  return 0;
}

process.exitCode = await main();
