// `npm run example -- <name> [flags]`: runs examples/<name>/index.ts.
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// The examples run as README "Running in production" advises: without V8's allocation-site
// pretenuring. Under a steady call load V8 decides, from samples that the lingering
// transactions' long-lived objects dominate, that some per-message allocation sites make
// long-lived objects, and allocates them in the old generation from then on. They die within milliseconds there, and what they
// point to survives every scavenge until the next full collection. Measured on the UAS example
// at 2,000 calls/s, six runs each way: a quarter less CPU per call (228 against 307 µs, the
// means), p99 INVITE->200 8-12 ms instead of 28-68, a fifth less RSS.
// Set before the example is imported: V8 reads the flag at each collection.
setFlagsFromString('--no-allocation-site-pretenuring');

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
