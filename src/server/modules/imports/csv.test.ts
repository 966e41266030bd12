import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvFileError, detectFormat } from './csv-format.js';
import { analyseCsv, readCsv, readCsvChunks } from './csv-reader.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: Buffer | string) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

async function parseFile(p: string) {
  const format = detectFormat(fs.readFileSync(p).subarray(0, 65536));
  const rows: string[][] = [];
  for await (const r of readCsv(p, format)) rows.push(r.fields);
  return { format, rows };
}

describe('CSV detection and parsing', () => {
  it('parses rows whose quoted fields span the 1 MB read chunks, with CRLF, in order', async () => {
    // ~3 MB: every row has a quoted field with a delimiter, a doubled quote and a line break, so
    // chunk boundaries fall inside quotes, between CR and LF, and mid-field.
    const lines = ['id,note,name'];
    for (let i = 0; i < 20_000; i++) {
      lines.push(`${i},"line one, ""quoted"" ${'x'.repeat(i % 97)}\r\nline two ${i}",Zoë ${i}`);
    }
    const p = file('chunks.csv', `${lines.join('\r\n')}\r\n`);
    const { rows } = await parseFile(p);
    expect(rows).toHaveLength(20_001);
    rows.slice(1).forEach((r, i) => {
      expect(r).toEqual([String(i), `line one, "quoted" ${'x'.repeat(i % 97)}\r\nline two ${i}`, `Zoë ${i}`]);
    });
  });

  it('reads UTF-8 with a BOM (Excel) and keeps unicode names byte for byte', async () => {
    const names = ['Zoë Ñúñez', '李小龙', 'Ødegård', 'Ёлка', '👩‍💻 Dev', 'Ａｎｎａ'];
    const p = file(
      'bom.csv',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`name,email\r\n${names.map((n, i) => `${n},u${i}@x.test`).join('\r\n')}\r\n`),
      ]),
    );
    const { format, rows } = await parseFile(p);
    expect(format).toMatchObject({ encoding: 'utf-8', bom: true, delimiter: ',', lineEnding: 'crlf' });
    expect(rows[0]).toEqual(['name', 'email']); // no BOM glued to the first header
    expect(rows.slice(1).map((r) => r[0])).toEqual(names);
    expect(Buffer.from(rows[2]![0]!, 'utf8').equals(Buffer.from('李小龙', 'utf8'))).toBe(true);
  });

  it('detects semicolons (European Excel) and Windows-1252', async () => {
    const text = 'Vorname;Nachname;E-Mail\nJürgen;Müller;j@x.test\nRené;Dubois;r@x.test\n';
    const p = file('cp1252.csv', Buffer.from(text, 'latin1'));
    const { format, rows } = await parseFile(p);
    expect(format).toMatchObject({ encoding: 'windows-1252', delimiter: ';', lineEnding: 'lf' });
    expect(rows[1]).toEqual(['Jürgen', 'Müller', 'j@x.test']);
    expect(rows[2]![0]).toBe('René');
  });

  it('reads UTF-16 LE with a BOM and tab delimiters (Excel "Unicode text")', async () => {
    const text = 'first\tlast\temail\r\nÅsa\tLarsson\ta@x.test\r\n';
    const p = file('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const { format, rows } = await parseFile(p);
    expect(format).toMatchObject({ encoding: 'utf-16le', delimiter: '\t' });
    expect(rows).toEqual([
      ['first', 'last', 'email'],
      ['Åsa', 'Larsson', 'a@x.test'],
    ]);
  });

  it('keeps quoted fields with delimiters, doubled quotes and line breaks intact', async () => {
    const p = file('quoted.csv', 'name,notes,email\n"Smith, Jane","She said ""hi""\nand left",jane@x.test\n');
    const { rows } = await parseFile(p);
    expect(rows[1]).toEqual(['Smith, Jane', 'She said "hi"\nand left', 'jane@x.test']);
  });

  it('keeps formula-looking values as data', async () => {
    const p = file('formula.csv', 'name,email\n=HYPERLINK("x"),f@x.test\n+1-2,g@x.test\n');
    const { rows } = await parseFile(p);
    expect(rows[1]![0]).toBe('=HYPERLINK("x")');
    expect(rows[2]![0]).toBe('+1-2');
  });

  it.each([
    ['image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), /PNG image/],
    ['book.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), /ZIP archive/],
    [
      'binary.csv',
      Buffer.from([0x41, 0x00, 0x42, 0x43, 0x00, 0x01, 0x44, 0x45, 0x46, 0x47, 0x48]),
      /not text/,
    ],
    ['empty.csv', Buffer.alloc(0), /empty/],
    ['blank.csv', Buffer.from('\n\n  \n'), /empty/],
  ])('refuses %s before any work', (_name, content, message) => {
    expect(() => detectFormat(content)).toThrow(CsvFileError);
    expect(() => detectFormat(content)).toThrow(message);
  });

  it.each([
    ['header-only.csv', 'email,name\n', /header row but no data rows/],
    [
      'dup-headers.csv',
      'Email,Name,email\na@x.test,A,b@x.test\n',
      /Duplicate column headers: "email" \(columns 1 and 3\)/,
    ],
    ['unclosed.csv', 'name,email\n"Ann,a@x.test\nBob,b@x.test\n', /quote is never closed/],
    [
      'wide.csv',
      `${Array.from({ length: 501 }, (_, i) => `c${i}`).join(',')}\n${'x,'.repeat(500)}x\n`,
      /501 columns; at most 500/,
    ],
    ['big-field.csv', `name,email\n${'a'.repeat(1024 * 1024 + 1)},a@x.test\n`, /larger than 1 MB/],
  ])('analysis refuses %s with a clear message', async (name, content, message) => {
    const p = file(name, content);
    await expect(analyseCsv(p, detectFormat(fs.readFileSync(p).subarray(0, 65536)))).rejects.toThrow(message);
  });

  it('skips blank lines between rows instead of reporting them as ragged rows', async () => {
    const p = file('blank-lines.csv', 'name,email\nAnn,a@x.test\n\nBob,b@x.test\n\n\nCy,c@x.test\n');
    const a = await analyseCsv(p, detectFormat(fs.readFileSync(p)));
    expect(a).toMatchObject({ totalRows: 3, raggedRows: [], raggedCount: 0 });
    expect(a.preview.map((r) => r[0])).toEqual(['Ann', 'Bob', 'Cy']);
  });

  it('refuses a row that never ends (a quote left open) once it passes 8 MB', async () => {
    const p = file('open-quote.csv', `name,email\nAnn,a@x.test\n"${'a'.repeat(9 * 1024 * 1024)}`);
    await expect(analyseCsv(p, detectFormat(fs.readFileSync(p).subarray(0, 65536)))).rejects.toThrow(
      /Row 3 is larger than 8 MB/,
    );
  });

  it('rejects (rather than waits forever) when the file cannot be read', async () => {
    const format = detectFormat(Buffer.from('a,b\n1,2\n'));
    await expect(analyseCsv(path.join(dir, 'no-such-file.csv'), format)).rejects.toThrow(/ENOENT/);
  });

  it('stops reading when the caller stops early, and the file can be read again', async () => {
    const lines = ['id,name'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},name ${i}`);
    const p = file('early-stop.csv', `${lines.join('\n')}\n`);
    const format = detectFormat(fs.readFileSync(p).subarray(0, 65536));
    let chunks = 0;
    for await (const chunk of readCsvChunks(p, format)) {
      expect(chunk[0]!.row).toBe(1);
      chunks++;
      break;
    }
    expect(chunks).toBe(1);
    let rows = 0;
    for await (const chunk of readCsvChunks(p, format)) rows += chunk.length;
    expect(rows).toBe(200_001);
  });

  it('reports ragged rows by row number and counts data rows', async () => {
    const p = file('ragged.csv', 'name,email\nAnn,a@x.test\nBob\nCy,c@x.test,extra\nDee,d@x.test\n');
    const a = await analyseCsv(p, detectFormat(fs.readFileSync(p)));
    expect(a).toMatchObject({ headers: ['name', 'email'], totalRows: 4, raggedRows: [3, 4], raggedCount: 2 });
    expect(a.preview).toHaveLength(4);
  });
});

describe('column mapping suggestions', () => {
  it('maps common headers in several languages, custom fields first, each target once', async () => {
    const { suggestMapping } = await import('./mapping.js');
    const defs = [
      {
        id: '1',
        entity: 'contact' as const,
        key: 'score',
        label: 'Lead score',
        type: 'number' as const,
        required: false,
        options: [],
        position: 0,
      },
    ];
    const m = suggestMapping(
      [
        'E-mail Address',
        'Vorname',
        'Nachname',
        'Firma',
        'Job Title',
        'Lead Score',
        'Tags',
        'Telefon',
        'PLZ',
        'E-Mail',
        'Mystery',
      ],
      defs,
    );
    expect(m).toEqual([
      { type: 'standard', field: 'email' },
      { type: 'standard', field: 'firstName' },
      { type: 'standard', field: 'lastName' },
      { type: 'standard', field: 'companyName' },
      { type: 'standard', field: 'jobTitle' },
      { type: 'custom', key: 'score' },
      { type: 'standard', field: 'tags' },
      { type: 'standard', field: 'phone' },
      { type: 'standard', field: 'postalCode' },
      { type: 'ignore' }, // a second email column is not mapped twice
      { type: 'ignore' },
    ]);
  });
});
