import fs from 'node:fs';
import path from 'node:path';
import { httpBaseline } from './http-baseline.js';

/** `npm run bench`: runs every benchmark, prints a table, writes bench/results/latest.json. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  p50Ms?: number;
  p99Ms?: number;
  baseline?: number;
  ratio?: number;
  note?: string;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const suites: Record<string, () => Promise<BenchResult[]>> = {
  'http-baseline': () => httpBaseline(seconds),
};

const only = process.argv[2];
const results: Record<string, BenchResult[]> = {};
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  process.stdout.write(`running ${name}…\n`);
  results[name] = await run();
}

for (const [suite, rows] of Object.entries(results)) {
  process.stdout.write(`\n${suite}\n`);
  console.table(
    rows.map((r) => ({
      benchmark: r.name,
      value: `${r.value} ${r.unit}`,
      'p50 ms': r.p50Ms ?? '',
      'p99 ms': r.p99Ms ?? '',
      'ratio vs baseline': r.ratio ?? '',
      note: r.note ?? '',
    })),
  );
}

const out = path.resolve(import.meta.dirname, 'results/latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, seconds, results }, null, 2)}\n`,
);
process.stdout.write(`\nwrote ${path.relative(process.cwd(), out)}\n`);
process.exit(0);
