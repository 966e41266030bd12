import { unguardFormula } from '../../../common/csv-safe.js';
import type { ImportMarketing } from '../../../common/imports.js';
import type { StagedBatch } from '../contacts/write/upsert.js';
import type { FieldDef } from '../fields/fields.repo.js';
import type { CsvFormat } from './csv-format.js';
import { readCsvChunks } from './csv-reader.js';
import { createRowMapper, mergeDuplicates, type RowError, type StagedRow } from './import-rows.js';
import type { Target } from './mapping.js';

/**
 * How an import's rows become batches (run in the import worker thread, see import-worker.ts).
 *
 * Rows are split into `parts` partitions by a hash of their email cell (rows without one by their
 * row number), and each partition is cut into batches in file order. Each partition has one
 * writer, so two connections never write the same email, and within a partition the later row
 * still wins ("last row wins" across batches). Resuming needs only how many records of each
 * partition were committed (`imports.parts_done`): the partition of a row depends on the file and
 * the mapping alone, so the first `skip[p]` records of partition p are exactly the committed ones,
 * whatever the sizes of the batches that committed them.
 */

export interface PlanInput {
  file: string;
  format: CsvFormat;
  headers: string[];
  /** The import's mapping, with `new_field` targets already turned into custom keys. */
  mapping: Target[];
  defs: FieldDef[];
  extraTags: string[];
  /** Marketing email for new contacts, and the file name for its consent source. */
  marketing?: ImportMarketing;
  fileName?: string;
  parts: number;
  /** Records of each partition already committed (skipped). */
  skip: number[];
  /** Largest batch (records); batches start small so progress shows at once, then grow. */
  maxRows: number;
}

export interface PreparedBatch {
  part: number;
  /** CSV records in the batch (the amount `rows_done` moves by). */
  records: number;
  errors: RowError[];
  /** The valid rows, merged by email, as the writer's statement takes them. */
  staged: StagedBatch;
  notes: RowError[];
  failed: number;
}

/** Rows as one JSON document with their names and emails (see StagedBatch). */
export function stageRows(batch: StagedRow[]): StagedBatch {
  const tagNames = new Set<string>();
  const companyNames = new Set<string>();
  const emails: string[] = [];
  for (const r of batch) {
    for (const t of r.tags) tagNames.add(t);
    if (r.company_name) companyNames.add(r.company_name);
    if (r.email) emails.push(r.email);
  }
  return {
    json: JSON.stringify(batch),
    count: batch.length,
    tagNames: [...tagNames],
    companyNames: [...companyNames],
    emails,
  };
}

/** The first batches are small (progress within a second), later ones grow with the writer's pace. */
export const FIRST_BATCH_ROWS = 1_000;
const MIN_BATCH_ROWS = 2_000;
/**
 * A batch is sized to take about this long to write: with two writers committing in turn,
 * `rows_done` moves about every 0.75 s, and batches stay large enough that the per-batch work (the
 * tag and company lookup, the statement's planning) stays small next to the rows.
 */
const TARGET_BATCH_SECONDS = 1.5;

/** FNV-1a, 32 bits: a stable hash (the same in every process and version) of a string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The partition of a record: by its lower-cased email cell (the mapper's key), else by row. */
export function partitioner(mapping: Target[], parts: number): (row: number, fields: string[]) => number {
  if (parts <= 1) return () => 0;
  const emailCols = mapping.flatMap((t, i) => (t.type === 'standard' && t.field === 'email' ? [i] : []));
  return (row, fields) => {
    // The mapper keeps the last non-empty email column: the same key here.
    for (let k = emailCols.length - 1; k >= 0; k--) {
      const v = unguardFormula(fields[emailCols[k]!] ?? '')
        .trim()
        .toLowerCase();
      if (v) return hash32(v) % parts;
    }
    return row % parts;
  };
}

/**
 * Batch sizes of one partition: small first, then sized from the writer's measured pace
 * (`observe`), between MIN_BATCH_ROWS and maxRows.
 */
export class BatchSizer {
  private target: number;
  constructor(private readonly maxRows: number) {
    this.target = Math.min(maxRows, FIRST_BATCH_ROWS);
  }
  get size() {
    return this.target;
  }
  observe(rowsPerSecond: number) {
    if (!(rowsPerSecond > 0)) return;
    const want = Math.round(rowsPerSecond * TARGET_BATCH_SECONDS);
    // Grow at most 4× a step (one slow first batch, e.g. a cold cache, does not decide).
    this.target = Math.max(
      Math.min(MIN_BATCH_ROWS, this.maxRows),
      Math.min(this.maxRows, want, this.target * 4),
    );
  }
}

/** What the producer needs from whoever consumes its batches (the worker's port, or a test). */
export interface BatchSink {
  /** Hands a batch over; resolves when there is room for more of that partition (backpressure). */
  put(batch: PreparedBatch): Promise<void>;
  /** Batch sizes per partition (the consumer adjusts them from the writers' pace). */
  sizers: BatchSizer[];
}

/** Reads, parses and maps the file and hands its batches to `sink`, partition by partition. */
export async function produceBatches(input: PlanInput, sink: BatchSink): Promise<void> {
  const mapper = createRowMapper({
    headers: input.headers,
    mapping: input.mapping,
    defs: input.defs,
    extraTags: input.extraTags,
    marketing: input.marketing,
    fileName: input.fileName,
  });
  const partOf = partitioner(input.mapping, input.parts);
  const skip = [...input.skip];
  const buffers: Array<{ row: number; fields: string[] }[]> = Array.from({ length: input.parts }, () => []);
  const flush = async (p: number) => {
    const records = buffers[p]!;
    buffers[p] = [];
    const errors: RowError[] = [];
    const staged: StagedRow[] = [];
    for (const r of records) {
      const { staged: s, errors: e } = mapper.map(r.row, r.fields);
      for (const x of e) errors.push(x);
      if (s) staged.push(s);
    }
    const { rows, notes } = mergeDuplicates(staged);
    await sink.put({
      part: p,
      records: records.length,
      errors,
      staged: stageRows(rows),
      notes,
      failed: records.length - staged.length,
    });
  };
  for await (const chunk of readCsvChunks(input.file, input.format)) {
    for (const rec of chunk) {
      if (rec.row === 1) continue; // header
      const p = partOf(rec.row, rec.fields);
      if (skip[p]! > 0) {
        skip[p]!--; // committed before a restart
        continue;
      }
      const buf = buffers[p]!;
      buf.push(rec);
      if (buf.length >= sink.sizers[p]!.size) await flush(p);
    }
  }
  for (let p = 0; p < input.parts; p++) if (buffers[p]!.length) await flush(p);
}
