// `npm run example -- <name> [flags]`: runs examples/<name>/index.ts.
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`usage: npm run example -- <name> [flags]\nexamples: ${names.join(', ')}`);
  process.exit(name ? 1 : 0);
}
// index.ts from source (tsx), index.js from a build (the bench runs the compiled examples).
const index = join(here, name, `index${extname(fileURLToPath(import.meta.url))}`);
process.argv = [process.argv[0] ?? 'node', index, ...args];
await import(index);
