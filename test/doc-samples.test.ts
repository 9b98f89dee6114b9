// Every TypeScript sample in README.md and docs/*.md type-checks under strict as written, with
// `rxsip`, `rxsip/sip`, `rxsip/testing` and `rxsip/drachtio` meaning this repository's entries.
// A sample that uses a name it does not declare, or a type it gets wrong, fails here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'node_modules', '.cache', 'rxsip-doc-samples');

function samples(): Array<{ name: string; code: string }> {
  const docs = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  return docs.flatMap((doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    return [...text.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m, i) => ({
      name: `${doc.replace(/\W+/g, '-')}-${i + 1}`,
      code: m[1] ?? '',
    }));
  });
}

it('every TypeScript sample of the README and docs/ type-checks under strict', () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const found = samples();
  expect(found.length).toBeGreaterThanOrEqual(4);
  writeFileSync(join(WORK, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const { name, code } of found) {
    // A sample that starts with `// src/app.ts` is that file of a project: other samples import it.
    const path = /^\/\/ ([\w./-]+\.ts)\n/.exec(code)?.[1];
    const file = join(WORK, path ?? `${name}.mts`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${code}\nexport {};\n`);
  }
  const entry = (file: string) => [join(ROOT, 'src', file)];
  writeFileSync(
    join(WORK, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        paths: {
          rxsip: entry('index.ts'),
          'rxsip/sip': entry('sip.ts'),
          'rxsip/testing': entry('testing.ts'),
          'rxsip/drachtio': entry('drachtio.ts'),
        },
      },
      include: ['**/*.mts', '**/*.ts'],
    }),
  );
  let output = '';
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', WORK], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? err);
  }
  expect(output).toBe('');
});
