import fs from 'node:fs';
import Papa from 'papaparse';
import { CsvFileError, type CsvFormat, decoderStream } from './csv-format.js';

export const MAX_COLUMNS = 500;
export const MAX_FIELD_CHARS = 1024 * 1024;

export interface CsvRecord {
  /** Spreadsheet row number: the header is row 1, the first data row is row 2. */
  row: number;
  fields: string[];
}

/** Largest unfinished row held while waiting for the rest of it (a quote left open, usually). */
const MAX_ROW_CHARS = 8 * MAX_FIELD_CHARS;

/**
 * Streams the records of a CSV file (decoded, parsed) in chunks, in constant memory.
 * Parsing is papaparse's incremental parser (about 8× faster than csv-parse here): each decoded
 * chunk is parsed up to its last complete row, and the unfinished tail waits for the next chunk.
 */
export async function* readCsvChunks(file: string, format: CsvFormat): AsyncGenerator<CsvRecord[]> {
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(decoderStream(format.encoding));
  let config: Papa.ParseConfig | undefined;
  let tail = '';
  let row = 0;
  const take = (input: string, last: boolean): CsvRecord[] => {
    config ??= {
      delimiter: format.delimiter,
      quoteChar: '"',
      skipEmptyLines: true,
      newline: lineBreakOf(input),
    };
    const res = new Papa.Parser(config).parse(input, 0, !last) as {
      data: string[][];
      errors: Array<{ code: string; row?: number }>;
      meta: { cursor: number };
    };
    const firstRow = row + 1;
    for (const e of res.errors) {
      const near = firstRow + (e.row ?? 0);
      if (e.code === 'MissingQuotes') {
        throw new CsvFileError(
          `A quote is never closed (the quoted field starting in row ${near} runs to the end of the file).`,
        );
      }
      if (e.code === 'InvalidQuotes') {
        throw new CsvFileError(
          `A quoted field is malformed in row ${near} (a quote inside a quoted field must be doubled).`,
        );
      }
    }
    tail = last ? '' : input.slice(res.meta.cursor);
    if (tail.length > MAX_ROW_CHARS) {
      throw new CsvFileError(
        `Row ${row + res.data.length + 1} is larger than 8 MB (fields are limited to 1 MB; is a quote left open?).`,
      );
    }
    const out: CsvRecord[] = new Array(res.data.length);
    for (let i = 0; i < res.data.length; i++) out[i] = { row: ++row, fields: res.data[i]! };
    return out;
  };
  try {
    for await (const text of source as AsyncIterable<string>) {
      const records = take(tail + text, false);
      if (records.length) yield records;
    }
    const records = take(tail, true);
    if (records.length) yield records;
  } finally {
    source.destroy();
  }
}

/** The file's line break, from its first one (what papaparse's own guess does). */
function lineBreakOf(text: string): '\r\n' | '\n' | '\r' {
  const lf = text.indexOf('\n');
  if (lf > 0 && text[lf - 1] === '\r') return '\r\n';
  if (lf === -1 && text.includes('\r')) return '\r';
  return '\n';
}

/** Streams the records of a CSV file one by one. */
export async function* readCsv(file: string, format: CsvFormat): AsyncGenerator<CsvRecord> {
  for await (const chunk of readCsvChunks(file, format)) yield* chunk;
}

export interface Analysis {
  headers: string[];
  preview: string[][];
  totalRows: number;
  raggedRows: number[];
  raggedCount: number;
}

/** Reads the whole file once: structure problems are reported before any work is done. */
export async function analyseCsv(file: string, format: CsvFormat, previewRows = 20): Promise<Analysis> {
  let headers: string[] | undefined;
  const preview: string[][] = [];
  const raggedRows: number[] = [];
  let raggedCount = 0;
  let total = 0;
  for await (const chunk of readCsvChunks(file, format))
    for (const rec of chunk) {
      for (let i = 0; i < rec.fields.length; i++) {
        if (rec.fields[i]!.length > MAX_FIELD_CHARS) {
          throw new CsvFileError(`Row ${rec.row}, column ${i + 1}: the field is larger than 1 MB.`);
        }
      }
      if (!headers) {
        headers = checkHeaders(rec.fields);
        continue;
      }
      total++;
      if (rec.fields.length !== headers.length) {
        raggedCount++;
        if (raggedRows.length < 1000) raggedRows.push(rec.row);
      }
      if (preview.length < previewRows) preview.push(rec.fields);
    }
  if (!headers) throw new CsvFileError('The file is empty.');
  if (total === 0) throw new CsvFileError('The file has a header row but no data rows.');
  return { headers, preview, totalRows: total, raggedRows, raggedCount };
}

export function checkHeaders(raw: string[]): string[] {
  if (raw.length > MAX_COLUMNS) {
    throw new CsvFileError(`The file has ${raw.length} columns; at most ${MAX_COLUMNS} are supported.`);
  }
  const headers = raw.map((h, i) => h.trim() || `Column ${i + 1}`);
  const seen = new Map<string, number>();
  const dups: string[] = [];
  headers.forEach((h, i) => {
    const k = h.toLowerCase();
    if (seen.has(k)) dups.push(`"${h}" (columns ${seen.get(k)! + 1} and ${i + 1})`);
    else seen.set(k, i);
  });
  if (dups.length)
    throw new CsvFileError(`Duplicate column headers: ${dups.join(', ')}. Rename them so each is unique.`);
  return headers;
}
