import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CsvFileError } from './csv-format.js';
import type { PlanInput, PreparedBatch } from './import-batches.js';
import type { FromWorker, ToWorker } from './import-worker.js';

/**
 * The import's batches, prepared in a worker thread (import-worker.ts) and handed out per
 * partition to the writers. `next(part)` waits for that partition's next batch (undefined at the
 * end) and tells the worker it left the queue (backpressure); `pace` passes on how fast the
 * writer went (batch sizes). A parse error (or a crash of the thread) rejects every waiting `next`.
 */
export interface BatchSource {
  next(part: number): Promise<PreparedBatch | undefined>;
  /** How fast a partition's writer wrote its last batch: the next batches are sized from it. */
  pace(part: number, rowsPerSecond: number): void;
  close(): Promise<void>;
}

/**
 * The worker: as compiled JavaScript, `import-worker.js` next to this file; from TypeScript
 * sources (tsx, Vitest), the `.ts` file loaded through tsx's API, since a worker's entry module
 * does not go through the loader hooks of the thread that starts it.
 */
function startWorker(input: PlanInput): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./import-worker.js', self), { workerData: input });
  const entry = new URL('./import-worker.ts', self).href;
  const api = pathToFileURL(tsxEsmApi(self)).href;
  return new Worker(
    `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(self)}))`,
    {
      eval: true,
      workerData: input,
      // V8 flags (--expose-gc) are the process's; a worker may not be given them again.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--expose-gc')),
    },
  );
}

/** tsx's ESM API module (its package's `exports`: `require.resolve` would give the CommonJS one). */
function tsxEsmApi(from: string): string {
  const pkgFile = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default);
}

export function startBatchSource(input: PlanInput): BatchSource {
  const worker = startWorker(input);
  const queues: PreparedBatch[][] = Array.from({ length: input.parts }, () => []);
  const waiters: Array<((b: PreparedBatch | undefined) => void) | undefined> = [];
  const rejecters: Array<((e: unknown) => void) | undefined> = [];
  let ended = false;
  let failure: Error | undefined;
  const post = (m: ToWorker) => {
    if (!ended && !failure) worker.postMessage(m);
  };
  const take = (part: number) => {
    const b = queues[part]!.shift();
    post({ type: 'taken', part });
    return b;
  };
  const settle = () => {
    for (let p = 0; p < input.parts; p++) {
      if (!waiters[p]) continue;
      const resolve = waiters[p]!;
      const reject = rejecters[p]!;
      if (failure) {
        waiters[p] = rejecters[p] = undefined;
        reject(failure);
      } else if (queues[p]!.length) {
        waiters[p] = rejecters[p] = undefined;
        resolve(take(p));
      } else if (ended) {
        waiters[p] = rejecters[p] = undefined;
        resolve(undefined);
      }
    }
  };
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'batch') queues[m.batch.part]!.push(m.batch);
    else if (m.type === 'end') ended = true;
    else failure ??= m.csv ? new CsvFileError(m.message) : new Error(`Import worker: ${m.message}`);
    settle();
  });
  worker.on('error', (err) => {
    failure ??= err;
    settle();
  });
  worker.on('exit', (code) => {
    if (!ended) failure ??= new Error(`The import worker stopped (exit code ${code})`);
    settle();
  });
  return {
    next(part) {
      if (failure) return Promise.reject(failure);
      const q = queues[part]!;
      if (q.length) return Promise.resolve(take(part));
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        waiters[part] = resolve;
        rejecters[part] = reject;
      });
    },
    pace(part, rowsPerSecond) {
      post({ type: 'pace', part, rowsPerSecond });
    },
    async close() {
      ended = true;
      await worker.terminate();
    },
  };
}
