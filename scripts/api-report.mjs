// The public API of each entry point, as API Extractor reads it from the built declarations
// (dist/, after `npm run build`): api/<entry>.api.md is committed, so every change to the public
// surface shows in review. `--local` rewrites the reports; without it (the test) a report that
// differs from the code fails, naming the entry. Each report also lists what has no doc comment
// (ae-undocumented), which the test refuses. The doc models go to temp/api/ for API Documenter.
//   node scripts/api-report.mjs [--local] [--dist DIR] [--out DIR]
// --dist reads declarations built elsewhere (tsc -p tsconfig.build.json --outDir DIR) and --out
// writes the reports there instead of api/, for a look that changes nothing committed.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const local = process.argv.includes('--local');
const argument = (flag) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dist = argument('--dist') ?? join(root, 'dist');
const out = argument('--out') ?? join(root, 'api');
const temp = argument('--out') ? join(out, 'temp') : join(root, 'temp');
export const ENTRIES = [
  { name: 'rxsip', file: 'index' },
  { name: 'rxsip-sip', file: 'sip' },
  { name: 'rxsip-testing', file: 'testing' },
  { name: 'rxsip-drachtio', file: 'drachtio' },
];

mkdirSync(out, { recursive: true });
mkdirSync(join(temp, 'api'), { recursive: true });
let failed = false;
for (const entry of ENTRIES) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: join(dist, `${entry.file}.d.ts`),
      bundledPackages: [],
      compiler: {
        overrideTsconfig: { compilerOptions: { lib: ['ES2023'], types: ['node'], skipLibCheck: true } },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${entry.name}.api.md`,
        reportFolder: out,
        reportTempFolder: join(temp, 'api-report'),
      },
      docModel: { enabled: true, apiJsonFilePath: join(temp, 'api', `${entry.name}.api.json`) },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: true },
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: true },
          'ae-missing-release-tag': { logLevel: 'none' },
        },
        tsdocMessageReporting: { default: { logLevel: 'warning' } },
      },
    },
    configObjectFullPath: join(out, `${entry.name}.json`),
    packageJsonFullPath: join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: local, showVerboseMessages: false });
  if (!result.succeeded) {
    failed = true;
    console.error(
      `api-report: ${entry.name}: ${result.apiReportChanged ? 'the public API changed: run `npm run api` and review api/' : ''}` +
        ` ${result.errorCount} errors, ${result.warningCount} warnings`,
    );
  } else console.log(`api-report: ${entry.name}: ${result.apiReportChanged ? 'updated' : 'unchanged'}`);
}
process.exit(failed ? 1 : 0);
