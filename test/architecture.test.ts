// The layering of src/, checked on its import graph (type-only imports included): no file cycles, no
// folder cycles, no import of a higher layer or of a peer, no relative import that names no file.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrokenImport,
  extractImports,
  findCycles,
  type ImportGraph,
  type ImportGraphScan,
  scanImportGraph,
} from './support/import-graph.js';

/**
 * The layers of src/, lowest first. This mirrors the layer table of docs/architecture.md: change both
 * together. A file's layer is its top-level folder under src/ (dialogs/inbound/ belongs to dialogs). A
 * file may import its own folder and any lower level; folders on one level are peers and may not import
 * each other. The files directly in src/ (entry points such as index.ts) are the level above the last
 * row (level 9), and nothing in src/ may import an entry point.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['sip', 'drachtio-wire'], // level 0, peers
  ['transport'], // level 1
  ['transaction'], // level 2
  ['engine'], // level 3
  ['requests'], // level 4
  ['dialogs', 'proxy'], // level 5, peers
  ['operators'], // level 6
  ['srf', 'registrar'], // level 7, peers
  ['drachtio', 'testing', 'drachtio-server', 'metrics'], // level 8, peers
];

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

interface Edge {
  target: string;
  typeOnly: boolean;
  line: number;
}

interface Step<E extends Edge> {
  from: string;
  edge: E;
}

/** An import between two top-level folders (or entry files) of the tree. */
interface FolderEdge extends Edge {
  file: string;
  targetFile: string;
}

/** The top-level folder of a file relative to the tree, or the file itself when it is directly in it. */
function topLevelOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash);
}

function isEntryFile(file: string): boolean {
  return !file.includes('/');
}

function isOutside(file: string): boolean {
  return file === '..' || file.startsWith('../');
}

function typeNote(edge: Edge): string {
  return edge.typeOnly ? ' (type-only)' : '';
}

/** The shortest path (at least one edge) from a node to a goal node, staying within a set of nodes. */
function shortestPath<E extends Edge>(
  from: string,
  isGoal: (node: string) => boolean,
  edgesOf: (node: string) => readonly E[],
  within: ReadonlySet<string>,
): Step<E>[] {
  const reachedBy = new Map<string, Step<E>>();
  const queue = [from];
  for (let q = 0; q < queue.length; q++) {
    for (const edge of edgesOf(queue[q])) {
      if (!within.has(edge.target) || reachedBy.has(edge.target)) continue;
      reachedBy.set(edge.target, { from: queue[q], edge });
      if (isGoal(edge.target)) {
        const path: Step<E>[] = [];
        let node = edge.target;
        do {
          const step = reachedBy.get(node)!;
          path.unshift(step);
          node = step.from;
        } while (node !== from);
        return path;
      }
      queue.push(edge.target);
    }
  }
  throw new Error(`no path from ${from} within ${[...within].join(', ')}`);
}

/** A closed walk through every member of a strongly connected component, from its first member. */
function closedWalk<E extends Edge>(
  members: readonly string[],
  edgesOf: (node: string) => readonly E[],
): Step<E>[] {
  const within = new Set(members);
  const unvisited = new Set(members.slice(1));
  const steps: Step<E>[] = [];
  let current = members[0];
  while (unvisited.size > 0) {
    for (const step of shortestPath(current, (node) => unvisited.has(node), edgesOf, within)) {
      steps.push(step);
      unvisited.delete(step.edge.target);
      current = step.edge.target;
    }
  }
  steps.push(...shortestPath(current, (node) => node === members[0], edgesOf, within));
  return steps;
}

/** One message per file cycle: a walk `a.ts:line -> b.ts:line -> a.ts`, then every import inside the cycle. */
function fileCycleMessages(graph: ImportGraph, label: string): string[] {
  const name = (file: string): string => posix.join(label, file);
  return findCycles(graph).map((members) => {
    const walk = closedWalk(members, (file) => graph.get(file) ?? []);
    const inside = members.flatMap((file) =>
      (graph.get(file) ?? [])
        .filter((edge) => members.includes(edge.target))
        .map((edge) => `  ${name(file)}:${edge.line} imports ${name(edge.target)}${typeNote(edge)}`),
    );
    const path = walk
      .map((step) => `${name(step.from)}:${step.edge.line}${typeNote(step.edge)} -> `)
      .join('');
    return [
      `cycle of ${members.length} file(s): ${path}${name(members[0])}`,
      `  the imports inside it (remove one to break it):`,
      ...inside,
    ].join('\n');
  });
}

/** The graph collapsed to the top-level folders of the tree (a file directly in it is its own node). */
function folderGraph(graph: ImportGraph): Map<string, FolderEdge[]> {
  const folders = new Map<string, FolderEdge[]>();
  for (const [file, edges] of graph) {
    const from = topLevelOf(file);
    const list = folders.get(from) ?? [];
    folders.set(from, list);
    for (const edge of edges) {
      const to = topLevelOf(edge.target);
      if (to !== from && !isOutside(edge.target))
        list.push({ ...edge, target: to, file, targetFile: edge.target });
    }
  }
  return folders;
}

/** One message per cycle between top-level folders: the folder walk, then every import between them. */
function folderCycleMessages(graph: ImportGraph, label: string): string[] {
  const name = (file: string): string => posix.join(label, file);
  const folders = folderGraph(graph);
  return findCycles(folders).map((members) => {
    const walk = closedWalk(members, (folder) => folders.get(folder) ?? []);
    const path = walk.map((step) => `${name(step.from)} -> `).join('');
    const inside = members.flatMap((folder) =>
      (folders.get(folder) ?? [])
        .filter((edge) => members.includes(edge.target))
        .map((edge) => `  ${name(edge.file)}:${edge.line} imports ${name(edge.targetFile)}${typeNote(edge)}`),
    );
    return [
      `cycle between folders: ${path}${name(members[0])}`,
      `  the imports between them:`,
      ...inside,
    ].join('\n');
  });
}

/**
 * The layering violations of a graph: a top-level folder missing from the layer table, an import of a
 * higher layer, of a peer folder on the same level, of an entry point (a file directly in the tree) or of
 * a file outside the tree. Imports from or to a folder missing from the table are judged once it is added.
 */
function layerViolations(
  graph: ImportGraph,
  folders: readonly string[],
  layers: readonly (readonly string[])[],
  label: string,
): string[] {
  const name = (file: string): string => posix.join(label, file);
  const levelOf = new Map(layers.flatMap((row, level) => row.map((folder) => [folder, level] as const)));
  const entryLevel = layers.length;
  const problems = folders
    .filter((folder) => !levelOf.has(folder))
    .map(
      (folder) =>
        `${name(folder)}/ is not in the layer table: add it to LAYERS in test/architecture.test.ts ` +
        `and to the layer table of docs/architecture.md`,
    );
  for (const [file, edges] of graph) {
    const from = topLevelOf(file);
    const fromLevel = isEntryFile(file) ? entryLevel : levelOf.get(from);
    for (const edge of edges) {
      const where = `${name(file)}:${edge.line} imports ${name(edge.target)}${typeNote(edge)}`;
      const to = topLevelOf(edge.target);
      if (isOutside(edge.target)) {
        problems.push(`${where}: a file outside ${label}/`);
      } else if (isEntryFile(edge.target)) {
        if (edge.target !== file) {
          problems.push(`${where}: an entry point (a file directly in ${label}/); nothing may import it`);
        }
      } else if (to !== from && fromLevel !== undefined) {
        const toLevel = levelOf.get(to);
        if (toLevel !== undefined && toLevel > fromLevel) {
          problems.push(
            `${where}: ${from} (level ${fromLevel}) may not import ${to} (level ${toLevel}), a layer above it`,
          );
        } else if (toLevel === fromLevel) {
          problems.push(
            `${where}: ${from} and ${to} are peers (level ${toLevel}) and may not import each other`,
          );
        }
      }
    }
  }
  return problems;
}

/** One message per relative import that names no file. */
function brokenImportMessages(broken: readonly BrokenImport[], label: string): string[] {
  return broken.map(
    (b) => `${posix.join(label, b.file)}:${b.line} imports '${b.specifier}', which resolves to no file`,
  );
}

function topLevelFolders(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Fails the test with every problem, one paragraph each, or passes when there is none. */
function expectNone(problems: readonly string[], title: string): void {
  if (problems.length > 0) {
    expect.unreachable(`${problems.length} ${title}:\n\n${problems.join('\n\n')}\n`);
  }
}

describe('architecture', () => {
  let scan: ImportGraphScan;
  beforeAll(() => {
    scan = scanImportGraph(SRC);
  });

  it('src/ has no import cycles, type-only imports included', () => {
    expectNone(
      fileCycleMessages(scan.graph, 'src'),
      'import cycle(s) in src/ (each file:line is the import that leads to the next file)',
    );
  });

  it('src/ folders have no cycles between them', () => {
    expectNone(folderCycleMessages(scan.graph, 'src'), 'cycle(s) between the top-level folders of src/');
  });

  it('no layer imports a layer above it, and peers do not import each other', () => {
    expectNone(
      layerViolations(scan.graph, topLevelFolders(SRC), LAYERS, 'src'),
      'layering violation(s) in src/ (see the layer table of docs/architecture.md)',
    );
  });

  it('every relative import in src/ resolves to a file', () => {
    expectNone(brokenImportMessages(scan.broken, 'src'), 'broken import(s) in src/');
  });
});

describe('architecture checks on a synthetic tree (they can fail)', () => {
  const files: Record<string, string> = {
    'sip/a.ts': [
      "// import { nope } from './commented-out.js';",
      "import type { B } from './b.js';",
      `const text = "import x from './in-a-string.js'";`,
      `const re = /['"]/g;`,
      'export const a: B | RegExp | string = re ?? text;',
    ].join('\n'),
    'sip/b.ts': "import {\n  c,\n  type C,\n} from './c.js';\nexport type B = C;\nexport const b = c;",
    'sip/c.ts': [
      "import { a } from './a';",
      'export type C = number;',
      'export const c = a;',
      "export const lazy = () => import('./lazy.js');",
    ].join('\n'),
    'sip/lazy.ts': "import './side-effect.js';\nexport {};",
    'sip/side-effect.ts': 'export {};',
    'sip/self.ts': "import { self } from './self.js';\nexport const me = self;",
    'sip/broken.ts': "import { gone } from './gone.js';\nexport { gone };",
    'sip/up.ts': "\n\nimport { t } from '../transport/t.js';\nexport const up = t;",
    'sip/index.ts': "export { a } from './a.js';\nexport type { B } from './b.js';",
    // A template literal with an expression (`$` + `{`, so that the linter does not take it for a mistake).
    'transport/t.ts': "export * from '../sip/index.js';\nexport const t = `$" + "{`x`} import('./tpl.js')`;",
    'transport/entry-user.ts': "import { x } from '../index.js';\nexport const y = x;",
    'misc/m.ts': 'export const m = 1;',
    'index.ts': "export * from './sip/index.js';\nexport const x = 1;",
  };
  const table = [['sip'], ['transport']];
  let root: string;
  let scan: ImportGraphScan;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rxsip-architecture-'));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    scan = scanImportGraph(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads multi-line, type-only, extensionless, dynamic and side-effect imports, and skips comments and strings', () => {
    const edges = (file: string) =>
      scan.graph.get(file)?.map(({ target, typeOnly, line }) => ({ target, typeOnly, line }));
    expect(edges('sip/a.ts')).toEqual([{ target: 'sip/b.ts', typeOnly: true, line: 2 }]);
    expect(edges('sip/b.ts')).toEqual([{ target: 'sip/c.ts', typeOnly: false, line: 1 }]);
    expect(edges('sip/c.ts')).toEqual([
      { target: 'sip/a.ts', typeOnly: false, line: 1 },
      { target: 'sip/lazy.ts', typeOnly: false, line: 4 },
    ]);
    expect(edges('sip/lazy.ts')).toEqual([{ target: 'sip/side-effect.ts', typeOnly: false, line: 1 }]);
    expect(edges('transport/t.ts')).toEqual([{ target: 'sip/index.ts', typeOnly: false, line: 1 }]);
    expect(edges('sip/index.ts')).toEqual([
      { target: 'sip/a.ts', typeOnly: false, line: 1 },
      { target: 'sip/b.ts', typeOnly: true, line: 2 },
    ]);
    expect(edges('index.ts')).toEqual([{ target: 'sip/index.ts', typeOnly: false, line: 1 }]);
    expect(scan.graph.get('misc/m.ts')).toEqual([]);
  });

  it('reads the other import and re-export forms', () => {
    const source = [
      "import Default, { named } from './d.js';",
      "import * as ns from './ns.js';",
      "import type from './default-named-type.js';",
      "import type * as types from './types.js';",
      "export type * from './all-types.js';",
      "export * as all from './all.js';",
      'export { named, ns };',
      "import { readFileSync } from 'node:fs';",
      'const o = { import: 1 }; o.import;',
    ].join('\n');
    expect(extractImports(source).map(({ specifier, typeOnly }) => `${specifier} ${typeOnly}`)).toEqual([
      './d.js false',
      './ns.js false',
      './default-named-type.js false',
      './types.js true',
      './all-types.js true',
      './all.js false',
      'node:fs false',
    ]);
  });

  it('finds a 3-file cycle through a type-only import, and a self-import', () => {
    expect(findCycles(scan.graph)).toEqual([['sip/a.ts', 'sip/b.ts', 'sip/c.ts'], ['sip/self.ts']]);
    const messages = fileCycleMessages(scan.graph, 'tree');
    expect(messages[0]).toContain(
      'tree/sip/a.ts:2 (type-only) -> tree/sip/b.ts:1 -> tree/sip/c.ts:1 -> tree/sip/a.ts',
    );
    expect(messages[1]).toContain('tree/sip/self.ts:1 -> tree/sip/self.ts');
  });

  it('finds a cycle between folders', () => {
    const messages = folderCycleMessages(scan.graph, 'tree');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(
      'cycle between folders: tree/index.ts -> tree/sip -> tree/transport -> tree/index.ts',
    );
    expect(messages[0]).toContain('tree/sip/up.ts:3 imports tree/transport/t.ts');
    expect(messages[0]).toContain('tree/transport/entry-user.ts:1 imports tree/index.ts');
  });

  it('reports an upward import, an import of an entry point and a folder missing from the table', () => {
    expect(layerViolations(scan.graph, topLevelFolders(root), table, 'tree')).toEqual([
      'tree/misc/ is not in the layer table: add it to LAYERS in test/architecture.test.ts ' +
        'and to the layer table of docs/architecture.md',
      'tree/sip/up.ts:3 imports tree/transport/t.ts: sip (level 0) may not import transport (level 1), a layer above it',
      'tree/transport/entry-user.ts:1 imports tree/index.ts: an entry point (a file directly in tree/); nothing may import it',
    ]);
    expect(layerViolations(scan.graph, topLevelFolders(root), [['sip', 'transport']], 'tree')).toContain(
      'tree/transport/t.ts:1 imports tree/sip/index.ts: transport and sip are peers (level 0) and may not import each other',
    );
  });

  it('reports an import that resolves to no file', () => {
    expect(brokenImportMessages(scan.broken, 'tree')).toEqual([
      "tree/sip/broken.ts:1 imports './gone.js', which resolves to no file",
    ]);
  });
});
