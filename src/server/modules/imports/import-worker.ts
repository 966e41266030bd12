import { parentPort, workerData } from 'node:worker_threads';
import { collectGarbage } from '../../lib/memory.js';
import { CsvFileError } from './csv-format.js';
import { BatchSizer, type PlanInput, type PreparedBatch, produceBatches } from './import-batches.js';

/**
 * The import's worker thread: reads, parses and maps the file (import-batches.ts) off the event
 * loop that serves the API, and posts prepared batches to the import's writers. Backpressure: at
 * most QUEUED batches per partition wait for their writer; the reader stops until one is taken.
 *
 * Messages in: `{ type: 'taken', part }` (a writer took a batch) and
 * `{ type: 'pace', part, rowsPerSecond }` (how fast it wrote: sizes the next batches). Out: `{ type: 'batch', batch }`, `{ type: 'end' }`,
 * `{ type: 'error', message, csv }`.
 */
export type ToWorker =
  | { type: 'taken'; part: number }
  | { type: 'pace'; part: number; rowsPerSecond: number };
export type FromWorker =
  | { type: 'batch'; batch: PreparedBatch }
  | { type: 'end' }
  | { type: 'error'; message: string; csv: boolean };

const QUEUED = 1;

const port = parentPort!;
const input = workerData as PlanInput;
const sizers = Array.from({ length: input.parts }, () => new BatchSizer(input.maxRows));
const waiting = new Array<number>(input.parts).fill(0);
let wake: (() => void) | undefined;

port.on('message', (m: ToWorker) => {
  if (m.type === 'pace') {
    sizers[m.part]!.observe(m.rowsPerSecond);
    return;
  }
  waiting[m.part]!--;
  const w = wake;
  wake = undefined;
  w?.();
});

try {
  await produceBatches(input, {
    sizers,
    async put(batch) {
      port.postMessage({ type: 'batch', batch } satisfies FromWorker);
      waiting[batch.part]!++;
      collectGarbage(); // this thread's garbage of the batch (a no-op without --expose-gc)
      while (waiting[batch.part]! > QUEUED) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  });
  port.postMessage({ type: 'end' } satisfies FromWorker);
} catch (err) {
  port.postMessage({
    type: 'error',
    message: (err as Error).message,
    csv: err instanceof CsvFileError,
  } satisfies FromWorker);
}
port.unref(); // the thread ends once its last message is out
