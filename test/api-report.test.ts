// The public surface, held to its committed report: a change to what rxsip exports fails here
// until `npm run api` rewrites api/*.api.md and the change is reviewed. Every public export and
// member has a doc comment, and the comments are valid TSDoc.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the public API matches api/*.api.md, every public item is documented, and its TSDoc is valid', () => {
  const dist = join(ROOT, 'temp', 'api-check-dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', dist], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  let output = '';
  let failed = false;
  try {
    output = execFileSync(process.execPath, ['scripts/api-report.mjs', '--dist', dist], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    failed = true;
    const e = err as { stdout?: string; stderr?: string };
    output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  const warnings = output.split('\n').filter((l) => /Warning:|Error:|\bchanged\b/.test(l));
  expect(warnings, 'run `npm run api` and review api/ when the public API changes on purpose').toEqual([]);
  expect(failed).toBe(false);
  const undocumented = readdirSync(join(ROOT, 'api'))
    .filter((f) => f.endsWith('.api.md'))
    .flatMap((f) =>
      readFileSync(join(ROOT, 'api', f), 'utf8')
        .split('\n')
        .filter((l) => l.includes('ae-undocumented')),
    );
  expect(undocumented).toEqual([]);
}, 120_000);
