import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { unguardFormula } from '../../../common/csv-safe.js';
import { csvCell } from '../exports/csv-safe.js';
import {
  CsvFileError,
  type CsvFormat,
  type Delimiter,
  detectFormat,
  detectLineEnding,
  type Encoding,
} from './csv-format.js';
import { analyseCsv, readCsv } from './csv-reader.js';

/**
 * Property tests (fast-check) of the CSV reader the imports use (detectFormat → analyseCsv /
 * readCsv, as imports.service.ts calls them):
 * - any bytes give a parse result or a CsvFileError, never another exception;
 * - rows written by a CSV writer (RFC 4180 quoting with each delimiter, line ending, encoding and
 *   BOM, and the export writer csvCell) read back equal.
 * Runs: FC_RUNS (default 150 per property); replay a failure with FC_SEED=<seed>.
 */
const RUNS = Number(process.env.FC_RUNS ?? 150);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-csv-prop-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: Buffer) {
  const p = path.join(dir, `f${++n}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

/** What the import does with an upload: detect the format from the head, then analyse. */
async function importView(p: string) {
  const head = fs.readFileSync(p).subarray(0, 65536);
  const format = detectFormat(head);
  const analysis = await analyseCsv(p, format);
  const rows: string[][] = [];
  for await (const r of readCsv(p, format)) rows.push(r.fields);
  return { format, analysis, rows };
}

async function parseWith(p: string, format: CsvFormat) {
  const rows: string[][] = [];
  for await (const r of readCsv(p, format)) rows.push(r.fields);
  return rows;
}

const BOMS = {
  'utf-8': [0xef, 0xbb, 0xbf],
  'utf-16le': [0xff, 0xfe],
  'utf-16be': [0xfe, 0xff],
  'windows-1252': [],
} as const;

function encode(text: string, encoding: Encoding, bom: boolean): Buffer {
  let body: Buffer;
  if (encoding === 'utf-8') body = Buffer.from(text, 'utf8');
  else if (encoding === 'utf-16le') body = Buffer.from(text, 'utf16le');
  else if (encoding === 'utf-16be') body = Buffer.from(text, 'utf16le').swap16();
  else body = Buffer.from(text, 'latin1'); // the generator keeps windows-1252 text to U+0000–U+007F and U+00A0–U+00FF
  return bom ? Buffer.concat([Buffer.from(BOMS[encoding]), body]) : body;
}

const LINE = { crlf: '\r\n', lf: '\n', cr: '\r' } as const;

/** RFC 4180 quoting for any delimiter: quote a field holding a quote, the delimiter, CR or LF. */
function writeCsv(rows: string[][], delimiter: Delimiter, eol: string): string {
  const cell = (s: string) => (/["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replace(/"/g, '""')}"` : s);
  return rows.map((r) => r.map(cell).join(delimiter)).join(eol) + eol;
}

/** Field text full of what CSV gets wrong: quotes, every delimiter, CR/LF mixes, unicode, spaces. */
const PIECES = [
  '"',
  '""',
  ',',
  ';',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\n\r',
  ' ',
  "'",
  '=',
  '\\',
  'é',
  'Zoë',
  '李',
  '𝒳',
  '🏳️‍🌈',
  '\ufeff',
  '\u0000',
  'x',
];
const fieldText = (latin1: boolean) => {
  const piece = latin1
    ? fc.oneof(
        fc.constantFrom(
          ...PIECES.filter((p) => [...p].every((c) => c <= '\u007f' || (c >= '\u00a0' && c <= '\u00ff'))),
        ),
        fc.string({
          unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
          maxLength: 5,
        }),
        fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
      )
    : fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', maxLength: 8 }));
  return fc.array(piece, { maxLength: 8 }).map((a) => a.join(''));
};

/** A table: a header of distinct plain names (as a spreadsheet writes it) and generated data rows. */
const table = (latin1: boolean, opts: { huge?: boolean } = {}) =>
  fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }))
    .chain(([cols, count]) =>
      fc.tuple(
        fc.constant(Array.from({ length: cols }, (_, i) => `col_${i + 1}`)),
        fc.array(
          fc.array(
            opts.huge
              ? fc.oneof(
                  fieldText(latin1),
                  fc.tuple(fieldText(latin1), fc.integer({ min: 100_000, max: 300_000 })).map(([s, k]) =>
                    (s || 'x')
                      .repeat(Math.ceil(k / (s.length || 1)))
                      .slice(0, k)
                      .replace(/[\ud800-\udbff]$/, ''),
                  ), // never half a pair
                )
              : fieldText(latin1),
            // Ragged rows too: the reader reports them, it does not drop or pad them.
            { minLength: 1, maxLength: cols + 1 },
          ),
          { minLength: count, maxLength: count },
        ),
      ),
    )
    // A row of one empty field is a blank line, which the reader skips by design.
    .map(([header, data]) => [header, ...data.filter((r) => !(r.length === 1 && r[0] === ''))]);

const format = fc.record({
  encoding: fc.constantFrom<Encoding>('utf-8', 'utf-16le', 'utf-16be', 'windows-1252'),
  bom: fc.boolean(),
  delimiter: fc.constantFrom<Delimiter>(',', ';', '\t'),
  lineEnding: fc.constantFrom('crlf', 'lf', 'cr') as fc.Arbitrary<keyof typeof LINE>,
});

describe('property: the CSV reader', () => {
  it('any bytes: a parse result or a CsvFileError, never another exception', {
    timeout: 60_000,
  }, async () => {
    const prefix = fc.constantFrom<number[]>(
      [],
      [0xef, 0xbb, 0xbf],
      [0xff, 0xfe],
      [0xfe, 0xff],
      [0x50, 0x4b, 0x03, 0x04],
      [0x22], // an opening quote
      [0x61, 0x2c, 0x62, 0x0a], // "a,b\n"
    );
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      // Mostly text bytes, so more of them get past detection and into the parser.
      fc.array(fc.constantFrom(0x22, 0x2c, 0x3b, 0x09, 0x0d, 0x0a, 0x61, 0x20, 0xc3, 0xa9, 0xff, 0x00), {
        maxLength: 2048,
      }),
      fc.string({ unit: 'binary', maxLength: 500 }).map((s) => [...Buffer.from(s, 'utf8')]),
    );
    await fc.assert(
      fc.asyncProperty(prefix, body, async (pre, bytes) => {
        const p = file(Buffer.concat([Buffer.from(pre), Buffer.from(bytes)]));
        try {
          const { analysis, rows } = await importView(p);
          expect(analysis.headers.length).toBeGreaterThan(0);
          expect(rows.length).toBe(analysis.totalRows + 1);
        } catch (err) {
          if (!(err instanceof CsvFileError)) throw err;
          expect(err.message).toMatch(/\S/);
        }
      }),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: true },
    );
  });

  it('rows written with any delimiter, line ending, encoding and BOM read back equal', {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        format.chain((f) => fc.tuple(fc.constant(f), table(f.encoding === 'windows-1252'))),
        async ([f, rows]) => {
          const bom = f.encoding === 'windows-1252' ? false : f.bom;
          const text = writeCsv(rows, f.delimiter, LINE[f.lineEnding]);
          const p = file(encode(text, f.encoding, bom));
          const back = await parseWith(p, { ...f, bom });
          expect(back).toEqual(rows);
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it('as an upload: the detected format finds the same delimiter and encoding, and the same rows', {
    timeout: 60_000,
  }, async () => {
    const upload = fc.record({
      encoding: fc.constantFrom<Encoding>('utf-8', 'utf-16le', 'utf-16be'),
      bom: fc.boolean(),
      delimiter: fc.constantFrom<Delimiter>(',', ';', '\t'),
      lineEnding: fc.constantFrom('crlf', 'lf', 'cr') as fc.Arbitrary<keyof typeof LINE>,
    });
    await fc.assert(
      fc.asyncProperty(
        upload,
        // Data without NUL (detection reads NUL as binary), two columns or more, a data row or more.
        table(false).filter(
          (rows) =>
            rows.length >= 2 && rows[0]!.length >= 2 && !rows.flat().some((c) => c.includes('\u0000')),
        ),
        async (f, rows) => {
          // UTF-16 without a BOM is recognised by its NUL bytes, which non-Latin text does not have.
          const bom = f.encoding === 'utf-8' ? f.bom : true;
          const p = file(encode(writeCsv(rows, f.delimiter, LINE[f.lineEnding]), f.encoding, bom));
          const seen = await importView(p);
          expect(seen.format).toMatchObject({ encoding: f.encoding, bom, delimiter: f.delimiter });
          expect(seen.rows).toEqual(rows);
          expect(seen.analysis.headers).toEqual(rows[0]);
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it('the export writer (csvCell) and the importer (readCsv + unguardFormula) round-trip every value', {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(table(false, { huge: true }), fc.boolean(), async (rows, bom) => {
        // What exports.csv.ts writes: csvCell per cell, ',' between them, CRLF after each row.
        const text = `${bom ? '\ufeff' : ''}${rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('')}`;
        const p = file(Buffer.from(text, 'utf8'));
        const back = await parseWith(p, { encoding: 'utf-8', bom, delimiter: ',', lineEnding: 'crlf' });
        expect(back.map((r) => r.map(unguardFormula))).toEqual(rows);
      }),
      { numRuns: Math.max(10, Math.round(RUNS / 5)), seed: SEED, endOnFailure: true },
    );
  });

  it('an export whose notes hold bare CRs reads back as written (found by the properties)', async () => {
    // 20 rows with 150 kB notes full of bare CRs, written as the exporter writes them (CRLF): the
    // parser's first 1 MB chunk ends inside a quoted note. papaparse's own line ending guess then
    // said CR, and every row after the header began with the LF of the row before.
    const rows = [
      ['email', 'notes'],
      ...Array.from({ length: 20 }, (_, i) => [`p${i}@x.test`, 'line\rnext '.repeat(15_000)]),
    ];
    const p = file(Buffer.from(rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('')));
    const { format, rows: back } = await importView(p);
    expect(format.lineEnding).toBe('crlf');
    expect(back).toEqual(rows);
    expect(detectLineEnding('a,b\n"x\r\ny\r\nz"\n1,2\n')).toBe('lf'); // breaks inside quotes do not count
    expect(detectLineEnding('a,b\r\n1,2\n3,4\n5,6\n')).toBe('lf'); // the most frequent one
    expect(detectLineEnding('a,b\r')).toBe('lf'); // a CR cut off the end of the sample is not counted
    expect(detectLineEnding('a\rb\rc')).toBe('cr');
  });

  it('a field over 1 MB or an unclosed quote is a CsvFileError', async () => {
    const big = file(Buffer.from(`a,b\r\n1,"${'x'.repeat(1024 * 1024 + 1)}"\r\n`));
    await expect(importView(big)).rejects.toBeInstanceOf(CsvFileError);
    const open = file(Buffer.from('a,b\r\n1,"never closed\r\n2,3\r\n'));
    await expect(importView(open)).rejects.toBeInstanceOf(CsvFileError);
  });
});
