import fs from 'node:fs';
import path from 'node:path';
import { detectFormat } from '../src/server/modules/imports/csv-format.js';
import { analyseCsv, readCsvChunks } from '../src/server/modules/imports/csv-reader.js';
import { generateCsv } from './csv-data.js';
import type { BenchResult } from './run.js';

/**
 * The CSV reader alone, without a database: the analysis an upload runs (every row read once,
 * structure checked) and a plain pass over the records, on the import benchmark's generated file.
 * `npm run bench csv-reader`; BENCH_READER_ROWS (default 1,000,000) and BENCH_READER_RUNS (best of, default 3).
 */
const ROWS = Number(process.env.BENCH_READER_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_READER_RUNS ?? 3);

export async function csvReaderBenchmarks(): Promise<BenchResult[]> {
  const file = path.resolve(`.tmp/bench-imports/contacts-${ROWS}.csv`);
  await generateCsv(file, ROWS);
  const mb = Math.round(fs.statSync(file).size / 1048576);
  const format = detectFormat(fs.readFileSync(file).subarray(0, 65536));
  const best = async (work: () => Promise<number>) => {
    let seconds = Number.POSITIVE_INFINITY;
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      rows = await work();
      seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    return { seconds: Math.round(seconds * 100) / 100, rows };
  };
  const analysis = await best(async () => (await analyseCsv(file, format)).totalRows);
  const pass = await best(async () => {
    let n = 0;
    for await (const chunk of readCsvChunks(file, format)) n += chunk.length;
    return n - 1;
  });
  return [
    {
      name: `analyse a ${analysis.rows} row CSV (${mb} MB)`,
      value: analysis.seconds,
      unit: 's',
      note: `best of ${RUNS}; ${Math.round(analysis.rows / analysis.seconds)} rows/s`,
    },
    {
      name: `read every record of the same file`,
      value: pass.seconds,
      unit: 's',
      note: `best of ${RUNS}; ${Math.round(pass.rows / pass.seconds)} rows/s`,
    },
  ];
}
