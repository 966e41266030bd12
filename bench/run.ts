import fs from 'node:fs';
import path from 'node:path';

/** `npm run bench [suite]`: runs the benchmarks, prints a table, writes bench/results/latest.json. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** The same work without the HTTP stack (e.g. the SQL run straight through pg). */
  rawP50Ms?: number;
  rawP95Ms?: number;
  baseline?: number;
  /** value / baseline (for latency rows: HTTP p95 / raw p95). */
  ratio?: number;
  ratioP50?: number;
  /** Latency target for p95, and whether it was met. */
  targetMs?: number;
  pass?: boolean;
  samples?: number;
  note?: string;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const suites: Record<string, () => Promise<BenchResult[]>> = {
  // Each suite is loaded when it runs, so one suite never needs another's modules.
  'http-baseline': async () => (await import('./http-baseline.js')).httpBaseline(seconds),
  // Not part of a bare `npm run bench`: it seeds a 1M-contact database first (run `npm run bench contacts`).
  contacts: async () => (await import('./contacts.js')).contactsBench(),
  // Also on request only: generates a 1M-row CSV and imports it twice (`npm run bench imports`).
  imports: async () => (await import('./imports.js')).importBenchmarks(),
  // `npm start`-like process (API + workers) importing 1M rows: health and list p95, progress gaps.
  'import-responsiveness': async () =>
    (await import('./import-responsiveness.js')).importResponsivenessBenchmark(),
  // One CLI import of 200k rows, for the importing process's peak RSS (`npm run bench import-memory`).
  'import-memory': async () => (await import('./imports.js')).importMemoryBenchmark(),
  // The CSV reader alone on the same generated file, no database (`npm run bench csv-reader`).
  'csv-reader': async () => (await import('./csv-reader.js')).csvReaderBenchmarks(),
  // Open pixel and click vs a bare node:http GIF, then rows written = requests answered (PostgreSQL at 127.0.0.1).
  tracking: async () => (await import('./tracking.js')).trackingBench(),
  // A 100k-contact campaign through an SMTP sink process vs raw pooled nodemailer (`npm run bench campaign-send`).
  'campaign-send': async () => (await import('./campaign-send.js')).campaignSendBench(),
  // Report, campaign and recipients endpoints over a 1M-recipient campaign (`npm run bench campaign-report`).
  'campaign-report': async () => (await import('./campaign-report.js')).campaignReportBench(),
  // 100k workflow runs in a server process + trigger latency + bare pg-boss (`npm run bench automations`).
  automations: async () => (await import('./automations.js')).automationsBench(),
  // Sign-up answer times, new address vs one with an account (`npm run bench signup`).
  signup: async () => (await import('./signup.js')).signupBench(),
};
const onlyOnRequest = new Set([
  'contacts',
  'imports',
  'import-responsiveness',
  'import-memory',
  'csv-reader',
  'campaign-send',
  'campaign-report',
  'automations',
  'signup',
]);

const only = process.argv.slice(2).find((a) => !a.startsWith('--')); // flags (--embedded) are the suites'
if (only && !suites[only]) {
  process.stderr.write(`unknown suite ${only}; one of: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
const results: Record<string, BenchResult[]> = {};
for (const [name, run] of Object.entries(suites)) {
  if (only ? only !== name : onlyOnRequest.has(name)) continue;
  process.stdout.write(`running ${name}…\n`);
  results[name] = await run();
}

for (const [suite, rows] of Object.entries(results)) {
  process.stdout.write(`\n${suite}\n`);
  if (rows.length === 0) {
    process.stdout.write('(no results)\n');
    continue;
  }
  const has = (k: keyof BenchResult) => rows.some((r) => r[k] !== undefined);
  console.table(
    rows.map((r) => ({
      benchmark: r.name,
      value: `${r.value} ${r.unit}`,
      'p50 ms': r.p50Ms ?? '',
      ...(has('p95Ms') ? { 'p95 ms': r.p95Ms ?? '' } : {}),
      'p99 ms': r.p99Ms ?? '',
      ...(has('rawP95Ms') ? { 'raw p50': r.rawP50Ms ?? '', 'raw p95': r.rawP95Ms ?? '' } : {}),
      ...(has('ratioP50') ? { 'ratio p50': r.ratioP50 ?? '' } : {}),
      [has('rawP95Ms') ? 'ratio p95' : 'ratio vs baseline']: r.ratio ?? '',
      ...(has('targetMs')
        ? {
            'target p95': r.targetMs === undefined ? '' : `≤ ${r.targetMs}`,
            pass: r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
          }
        : {}),
      note: r.note ?? '',
    })),
  );
}

const out = path.resolve(import.meta.dirname, 'results/latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
let previous: { results?: Record<string, BenchResult[]> } = {};
try {
  previous = JSON.parse(fs.readFileSync(out, 'utf8')) as typeof previous;
} catch {
  // first run
}
// The file keeps the last results of each suite: suites not run this time, or skipped (no rows,
// e.g. no database), keep their previous rows.
const merged = {
  ...previous.results,
  ...Object.fromEntries(Object.entries(results).filter(([, rows]) => rows.length > 0)),
};
fs.writeFileSync(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, seconds, results: merged }, null, 2)}\n`,
);
process.stdout.write(`\nwrote ${path.relative(process.cwd(), out)}\n`);
process.exit(0);
