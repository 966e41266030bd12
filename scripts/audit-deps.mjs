#!/usr/bin/env node
// `npm run audit:deps`: known high and critical advisories in the production dependencies
// (`npm audit --omit=dev`, through the registry npm is configured with).
//
// Exit codes:
//   0  the audit ran and found no high or critical advisory
//   1  the audit ran and found some (listed), or npm answered something this script cannot read
//   2  the audit could not run: the registry did not answer the advisories endpoint (some
//      mirrors and proxies serve packages but refuse the POST the audit needs). Never a silent
//      pass: the reason is printed, and .ci/run decides (see docs/operations.md, Security checks).
//
// MOXORA_AUDIT_REPORT=<file> reads npm audit's JSON from a file instead of running npm (tests).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const LEVELS = new Set(['high', 'critical']);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = process.env.MOXORA_AUDIT_REPORT
  ? { stdout: fs.readFileSync(process.env.MOXORA_AUDIT_REPORT, 'utf8'), stderr: '' }
  : spawnSync(npm, ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

if (run.error) {
  console.error(`DEPENDENCY AUDIT COULD NOT RUN: npm did not start (${run.error.message}).`);
  process.exit(2);
}

let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error('DEPENDENCY AUDIT FAILED: npm audit did not answer JSON.');
  console.error((run.stdout || run.stderr || '').slice(0, 2000));
  process.exit(1);
}

// npm prints the failed request (status, method, uri) when the advisories endpoint does not answer.
if (!report.metadata?.vulnerabilities) {
  const status = report.statusCode ? `${report.statusCode} ` : '';
  // The registry's address is left out of what CI prints (only the path and the answer matter).
  const why = String(report.message ?? report.error?.summary ?? 'no audit report').replace(
    /https?:\/\/[^/\s]+/g,
    '<registry>',
  );
  console.error(
    `DEPENDENCY AUDIT COULD NOT RUN: the registry npm is configured with answered ${status}to the advisories request (${why}).`,
  );
  console.error(
    'No advisory was checked. Run `npm run audit:deps` where the registry serves the audit endpoint (docs/operations.md, Security checks).',
  );
  process.exit(2);
}

const found = Object.values(report.vulnerabilities ?? {}).filter((v) => LEVELS.has(v.severity));
const counted = report.metadata.dependencies?.prod ?? report.metadata.dependencies?.total ?? '?';
if (found.length === 0) {
  const v = report.metadata.vulnerabilities;
  console.log(
    `Dependency audit: no high or critical advisory in ${counted} production dependencies (moderate ${v.moderate ?? 0}, low ${v.low ?? 0}, info ${v.info ?? 0}).`,
  );
  process.exit(0);
}

console.error(
  `DEPENDENCY AUDIT FAILED: ${found.length} production dependencies with high or critical advisories:`,
);
for (const v of found) {
  const titles = (v.via ?? [])
    .filter((x) => typeof x === 'object')
    .map((x) => `${x.title ?? ''} ${x.url ?? ''}`.trim());
  const via = (v.via ?? []).filter((x) => typeof x === 'string');
  const fix =
    v.fixAvailable === true
      ? 'fix: npm audit fix --omit=dev'
      : v.fixAvailable
        ? `fix: ${v.fixAvailable.name}@${v.fixAvailable.version}${v.fixAvailable.isSemVerMajor ? ' (major)' : ''}`
        : 'no fix available';
  console.error(`- ${v.name} ${v.range} [${v.severity}] ${fix}`);
  for (const t of titles) console.error(`    ${t}`);
  if (via.length) console.error(`    through ${via.join(', ')}`);
}
process.exit(1);
