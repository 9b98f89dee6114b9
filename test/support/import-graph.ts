// The import graph of a source tree, for the architecture test: which file imports which, read from
// the source text with a small tokenizer (comments, strings, template literals and regular
// expressions are skipped, so an `import` inside them is not mistaken for one). Dependency-free.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import of a file: the file it resolves to, whether it is erased at runtime, and where it is. */
export interface ImportEdge {
  /** The imported file, relative to the scanned root with `/` separators (`../` when outside it). */
  target: string;
  /** `import type` / `export type` (erased from the emitted JavaScript). */
  typeOnly: boolean;
  /** The 1-based line of the `import` / `export` keyword. */
  line: number;
  /** The specifier as written, e.g. `./uas.js`. */
  specifier: string;
}

/** A relative import that resolves to no file. */
export interface BrokenImport {
  file: string;
  line: number;
  specifier: string;
}

/** Every scanned file (relative to the root, `/` separators) and the relative imports it makes. */
export type ImportGraph = Map<string, ImportEdge[]>;

/** The graph of a tree and the relative imports in it that resolve to nothing. */
export interface ImportGraphScan {
  graph: ImportGraph;
  broken: BrokenImport[];
}

/** A module specifier found in a source text, before resolution. */
export interface ImportSpecifier {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

interface Token {
  kind: 'ident' | 'string' | 'punct' | 'other';
  value: string;
  line: number;
}

const REGEX_AFTER_KEYWORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);
const IDENT_START = /[\p{ID_Start}$_\\]/u;
const IDENT_PART = /[\p{ID_Continue}$\\]|\u200c|\u200d/u;

/** Whether a `/` after this token starts a regular expression rather than a division. */
function regexMayFollow(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'ident') return REGEX_AFTER_KEYWORDS.has(previous.value);
  if (previous.kind === 'punct') return !')]}'.includes(previous.value);
  return false;
}

/** Splits TypeScript source into identifiers, string literals and punctuation; throws on a lexing error. */
function tokenize(source: string, fileName: string): Token[] {
  const tokens: Token[] = [];
  const braces: ('code' | 'template')[] = [];
  let line = 1;
  let i = source.startsWith('#!') ? source.indexOf('\n') : 0;
  if (i < 0) return tokens;
  const fail = (what: string): never => {
    throw new Error(`${fileName}:${line}: ${what}`);
  };
  // Scans template text from i (just after ` or }) to the closing ` or the next ${.
  const templateText = (): void => {
    const startLine = line;
    for (;;) {
      const c = source[i];
      if (c === undefined) fail(`unterminated template literal (opened on line ${startLine})`);
      if (c === '\\') {
        if (source[i + 1] === '\n') line++;
        i += 2;
      } else if (c === '`') {
        i++;
        tokens.push({ kind: 'other', value: '`', line });
        return;
      } else if (c === '$' && source[i + 1] === '{') {
        i += 2;
        braces.push('template');
        tokens.push({ kind: 'punct', value: '${', line });
        return;
      } else {
        if (c === '\n') line++;
        i++;
      }
    }
  };
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated block comment');
      for (let k = i; k < end; k++) if (source[k] === '\n') line++;
      i = end + 2;
    } else if (c === "'" || c === '"') {
      let value = '';
      i++;
      while (source[i] !== c) {
        if (source[i] === undefined || source[i] === '\n') fail('unterminated string literal');
        if (source[i] === '\\') {
          if (source[i + 1] === '\n') line++;
          value += source[i + 1];
          i += 2;
        } else value += source[i++];
      }
      i++;
      tokens.push({ kind: 'string', value, line });
    } else if (c === '`') {
      i++;
      templateText();
    } else if (c === '}' && braces.at(-1) === 'template') {
      braces.pop();
      i++;
      templateText();
    } else if (c === '/' && regexMayFollow(tokens.at(-1))) {
      let k = i + 1;
      let inClass = false;
      while (k < source.length && source[k] !== '\n' && (inClass || source[k] !== '/')) {
        if (source[k] === '\\') k++;
        else if (source[k] === '[') inClass = true;
        else if (source[k] === ']') inClass = false;
        k++;
      }
      if (source[k] !== '/') fail('unterminated regular expression');
      k++;
      while (k < source.length && IDENT_PART.test(source[k])) k++;
      tokens.push({ kind: 'other', value: source.slice(i, k), line });
      i = k;
    } else if (IDENT_START.test(c)) {
      let k = i + 1;
      while (k < source.length && IDENT_PART.test(source[k])) k++;
      tokens.push({ kind: 'ident', value: source.slice(i, k), line });
      i = k;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      let k = i + 1;
      while (k < source.length && /[\w.]/.test(source[k])) k++;
      tokens.push({ kind: 'other', value: source.slice(i, k), line });
      i = k;
    } else {
      if (c === '{') braces.push('code');
      else if (c === '}') braces.pop();
      tokens.push({ kind: 'punct', value: c, line });
      i++;
    }
  }
  return tokens;
}

/**
 * Every module specifier a TypeScript source imports or re-exports: `import … from`, `import type … from`,
 * `export … from`, `export type … from`, side-effect `import '…'`, `import x = require('…')` and dynamic
 * `import('…')` with a string literal (a dynamic import of a computed specifier cannot be checked and is
 * skipped). `typeOnly` is set for the forms erased at runtime (`import type`, `export type`); an
 * `import { type A }` is kept by `verbatimModuleSyntax` and is not type-only. Throws when a statement
 * starts like an import or re-export but cannot be read, so nothing is skipped silently.
 */
export function extractImports(source: string, fileName = '<source>'): ImportSpecifier[] {
  const tokens = tokenize(source, fileName);
  const found: ImportSpecifier[] = [];
  const is = (k: number, kind: Token['kind'], value?: string): boolean =>
    tokens[k]?.kind === kind && (value === undefined || tokens[k].value === value);
  const fromAt = (k: number): boolean => is(k, 'ident', 'from') && is(k + 1, 'string');
  const afterBraces = (k: number): number => {
    while (k < tokens.length && !is(k, 'punct', '}')) k++;
    return k + 1;
  };
  const unreadable = (k: number, what: string): never => {
    throw new Error(`${fileName}:${tokens[k].line}: cannot read this ${what} statement`);
  };
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    if (token.kind !== 'ident' || is(k - 1, 'punct', '.')) continue;
    const line = token.line;
    if (token.value === 'import') {
      if (is(k + 1, 'punct', '(')) {
        if (is(k + 2, 'string') && (is(k + 3, 'punct', ')') || is(k + 3, 'punct', ','))) {
          found.push({ specifier: tokens[k + 2].value, typeOnly: false, line });
        }
        continue;
      }
      if (is(k + 1, 'string')) {
        found.push({ specifier: tokens[k + 1].value, typeOnly: false, line });
        continue;
      }
      if (!is(k + 1, 'ident') && !is(k + 1, 'punct', '{') && !is(k + 1, 'punct', '*')) continue;
      let j = k + 1;
      let typeOnly = false;
      if (is(j, 'ident', 'type') && !fromAt(j + 1) && !is(j + 1, 'punct', ',') && !is(j + 1, 'punct', '=')) {
        typeOnly = true;
        j++;
      }
      if (is(j, 'ident') && !fromAt(j)) {
        if (is(j + 1, 'punct', '=')) {
          if (is(j + 2, 'ident', 'require') && is(j + 3, 'punct', '(') && is(j + 4, 'string')) {
            found.push({ specifier: tokens[j + 4].value, typeOnly, line });
          }
          continue; // `import A = require(…)` or a namespace alias `import A = B.C`
        }
        j++;
        if (is(j, 'punct', ',')) j++;
        else if (!fromAt(j)) unreadable(k, 'import');
      }
      if (is(j, 'punct', '{')) j = afterBraces(j);
      else if (is(j, 'punct', '*') && is(j + 1, 'ident', 'as') && is(j + 2, 'ident')) j += 3;
      if (!fromAt(j)) unreadable(k, 'import');
      found.push({ specifier: tokens[j + 1].value, typeOnly, line });
    } else if (token.value === 'export') {
      let j = k + 1;
      let typeOnly = false;
      if (is(j, 'ident', 'type') && (is(j + 1, 'punct', '{') || is(j + 1, 'punct', '*'))) {
        typeOnly = true;
        j++;
      }
      if (is(j, 'punct', '{')) {
        j = afterBraces(j);
        if (fromAt(j)) found.push({ specifier: tokens[j + 1].value, typeOnly, line });
      } else if (is(j, 'punct', '*')) {
        j += is(j + 1, 'ident', 'as') ? 3 : 1;
        if (!fromAt(j)) unreadable(k, 'export');
        found.push({ specifier: tokens[j + 1].value, typeOnly, line });
      }
    }
  }
  return found;
}

/** Whether a specifier is relative (`./x`, `../x`, `.`, `..`); packages and `node:` modules are not. */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * The files a relative specifier may name, in the order they are tried: `./foo.js` names `./foo.ts`
 * (ESM with `.js` extensions), `./foo` names `./foo.ts` or `./foo/index.ts`, `./dir/index.js` names
 * `./dir/index.ts`; declaration files and a file of exactly that name are accepted too.
 */
export function candidateFiles(fromFile: string, specifier: string): string[] {
  const base = resolve(dirname(fromFile), specifier);
  for (const [js, ts] of [
    ['.js', '.ts'],
    ['.mjs', '.mts'],
    ['.cjs', '.cts'],
  ]) {
    if (base.endsWith(js)) {
      const stem = base.slice(0, -js.length);
      return [stem + ts, `${stem}.d${ts}`, base];
    }
  }
  return [base, `${base}.ts`, `${base}.d.ts`, join(base, 'index.ts'), join(base, 'index.d.ts')];
}

/** The absolute path of the file a relative specifier resolves to, or undefined when there is none. */
export function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  return candidateFiles(fromFile, specifier).find(isFile);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Every `.ts` file under a directory (recursively, symbolic links not followed), sorted, absolute. */
export function listTypeScriptFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.ts')) files.push(path);
    }
  };
  walk(root);
  return files.sort();
}

/**
 * Scans every `.ts` file under `root` and resolves its relative imports and re-exports. Non-relative
 * specifiers (`rxjs`, `node:fs`, …) are ignored; a relative one that names no file is returned in `broken`.
 */
export function scanImportGraph(root: string): ImportGraphScan {
  const absoluteRoot = resolve(root);
  const graph: ImportGraph = new Map();
  const broken: BrokenImport[] = [];
  for (const path of listTypeScriptFiles(absoluteRoot)) {
    const file = toPosix(relative(absoluteRoot, path));
    const edges: ImportEdge[] = [];
    for (const found of extractImports(readFileSync(path, 'utf8'), file)) {
      if (!isRelativeSpecifier(found.specifier)) continue;
      const resolved = resolveSpecifier(path, found.specifier);
      if (resolved === undefined) {
        broken.push({ file, line: found.line, specifier: found.specifier });
      } else {
        edges.push({ ...found, target: toPosix(relative(absoluteRoot, resolved)) });
      }
    }
    graph.set(file, edges);
  }
  return { graph, broken };
}

/**
 * The cycles of a graph, found with Tarjan's strongly-connected-components algorithm: every component
 * of more than one node, plus every node that imports itself. Edges to nodes that are not keys of the
 * graph are ignored. Each cycle is sorted, and the cycles are sorted by their first node.
 */
export function findCycles(graph: ReadonlyMap<string, readonly { target: string }[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const { target } of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(target)!));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = (graph.get(node) ?? []).some((edge) => edge.target === node);
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
