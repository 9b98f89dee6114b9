// The repository's own lint rules (lint/*.grit, biome plugins), run by Biome on sample files: each
// flags what it is for and passes what it allows.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const biome = join(repo, 'node_modules', '.bin', 'biome');
const tmp = mkdtempSync(join(tmpdir(), 'rxsip-lint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// A checkout that itself sits under a folder named src (~/src/rxsip): only its own src/ is linted.
const checkout = join(tmp, 'src', 'rxsip');

/** The repository's biome.json overrides, their plugins' paths made absolute. */
function overrides(): unknown {
  const config = JSON.parse(readFileSync(join(repo, 'biome.json'), 'utf8')) as {
    overrides: { includes: string[]; plugins?: string[] }[];
  };
  return config.overrides.map((o) => ({ ...o, plugins: o.plugins?.map((p) => resolve(repo, p)) }));
}

/** The 1-based lines of `file` (in the checkout) that the repository's lint plugins flag. */
function flaggedLines(file: string, source: string): number[] {
  mkdirSync(dirname(join(checkout, file)), { recursive: true });
  writeFileSync(join(checkout, 'biome.json'), JSON.stringify({ root: true, overrides: overrides() }));
  writeFileSync(join(checkout, file), source);
  let out: string;
  try {
    out = execFileSync(biome, ['lint', '--max-diagnostics=100', file], {
      cwd: checkout,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (err) {
    out = `${(err as { stdout: string }).stdout}${(err as { stderr: string }).stderr}`;
  }
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...out.matchAll(new RegExp(`${escaped}:(\\d+):\\d+ plugin`, 'g'))].map((m) => Number(m[1]));
}

describe('lint/no-spread-then-member.grit', () => {
  const sample = [
    'export const a = { ...b, c: 1 };', // 1: flagged
    'export const d = { ...b, ...e };', // 2: flagged
    'export const f = { ...b, g };', // 3: flagged
    'export const h = { ...b };', // 4: a copy
    'export const i = { c: 1, ...b };', // 5: a spread after a member
    'export const j = Object.assign({}, b, { c: 1 });', // 6: the way to write line 1
    'export const k = {\n  ...b,\n  c: 1,\n};', // 7-10: flagged at its second member (line 9)
    'export const l = { c: 1, ...b, d: 2 };', // 11: not leading, which is fast
  ].join('\n');

  it('flags an object literal in src/ that starts with a spread and goes on', () => {
    expect(flaggedLines('src/sample.ts', sample)).toEqual([1, 2, 3, 9]);
  });

  it('leaves files outside src/ alone (tests, examples, the bench), in a checkout under a folder named src', () => {
    expect(flaggedLines('test/sample.ts', sample)).toEqual([]);
  });
});
