import fs from 'node:fs';
import { parse } from 'csv-parse';
import { CsvFileError, type CsvFormat, decoderStream } from './csv-format.js';

export const MAX_COLUMNS = 500;
export const MAX_FIELD_CHARS = 1024 * 1024;

export interface CsvRecord {
  /** Spreadsheet row number: the header is row 1, the first data row is row 2. */
  row: number;
  fields: string[];
}

/** Streams the records of a CSV file (decoded, parsed), in constant memory. */
export async function* readCsv(file: string, format: CsvFormat): AsyncGenerator<CsvRecord> {
  const parser = parse({
    delimiter: format.delimiter,
    relax_column_count: true,
    relax_quotes: true, // a stray quote inside an unquoted field (=HYPERLINK("x")) is data
    skip_empty_lines: true,
    bom: false,
    max_record_size: 8 * MAX_FIELD_CHARS,
  });
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(decoderStream(format.encoding));
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let row = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      row++;
      yield { row, fields };
    }
  } catch (err) {
    throw toFileError(err);
  } finally {
    source.destroy();
  }
}

function toFileError(err: unknown): Error {
  const e = err as { code?: string; message?: string; lines?: number };
  if (e?.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new CsvFileError(
      `A quote is never closed (the quoted field starting near line ${e.lines ?? '?'} runs to the end of the file).`,
    );
  }
  if (e?.code === 'CSV_MAX_RECORD_SIZE') {
    return new CsvFileError(
      `A row near line ${e.lines ?? '?'} is larger than 8 MB; fields are limited to 1 MB.`,
    );
  }
  if (e?.code === 'CSV_INVALID_CLOSING_QUOTE' || e?.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE') {
    return new CsvFileError(
      `A quoted field is malformed near line ${e.lines ?? '?'} (a quote inside a quoted field must be doubled).`,
    );
  }
  return err as Error;
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
  for await (const rec of readCsv(file, format)) {
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
