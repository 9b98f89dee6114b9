// `npm run example -- <name> [flags]`: runs examples/<name>/index.ts.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
process.argv = [process.argv[0] ?? 'node', join(here, name, 'index.ts'), ...args];
await import(join(here, name, 'index.ts'));
