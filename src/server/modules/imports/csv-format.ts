import { Transform, type TransformCallback } from 'node:stream';

/** Detects how a CSV file is encoded and delimited, from its first bytes. */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t';
export type LineEnding = 'crlf' | 'lf' | 'cr';

export interface CsvFormat {
  encoding: Encoding;
  bom: boolean;
  delimiter: Delimiter;
  lineEnding: LineEnding;
}

export class CsvFileError extends Error {
  override name = 'CsvFileError';
}

const MAGIC: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an Excel .xlsx or Numbers file?)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel .xls file'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x52, 0x49, 0x46, 0x46], 'a media file'],
];

function startsWith(buf: Buffer, bytes: number[]) {
  return bytes.every((b, i) => buf[i] === b);
}

export function detectEncoding(sample: Buffer): { encoding: Encoding; bom: boolean } {
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bom: true };
  if (startsWith(sample, [0xff, 0xfe])) return { encoding: 'utf-16le', bom: true };
  if (startsWith(sample, [0xfe, 0xff])) return { encoding: 'utf-16be', bom: true };
  for (const [bytes, what] of MAGIC) {
    if (startsWith(sample, bytes)) {
      throw new CsvFileError(
        `This file is ${what}, not a CSV file. Save or export it as CSV and upload that.`,
      );
    }
  }
  // UTF-16 without a BOM: ASCII text has a NUL in every other byte.
  const n = Math.min(sample.length, 4096);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i++) {
    if (sample[i] === 0) {
      if (i % 2 === 0) evenNul++;
      else oddNul++;
    }
  }
  if (n >= 4 && oddNul > n / 4 && evenNul < n / 50) return { encoding: 'utf-16le', bom: false };
  if (n >= 4 && evenNul > n / 4 && oddNul < n / 50) return { encoding: 'utf-16be', bom: false };
  if (evenNul + oddNul > 0)
    throw new CsvFileError('This file is not text (it contains binary data). Upload a CSV file.');
  // Valid UTF-8 (ignoring a character cut at the end of the sample) or else Windows-1252.
  let end = sample.length;
  for (let back = 0; back < 3 && end > 0; back++) {
    const b = sample[end - 1]!;
    if (b < 0x80) break;
    end--;
    if (b >= 0xc0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return { encoding: 'utf-8', bom: false };
  } catch {
    return { encoding: 'windows-1252', bom: false };
  }
}

/** Decodes the sample (TextDecoder drops a BOM itself). A character cut at the end becomes U+FFFD. */
export function decodeSample(sample: Buffer, encoding: Encoding): string {
  return new TextDecoder(encoding).decode(sample);
}

/** Counts delimiters per line outside quotes, over the first lines; picks the most consistent. */
export function detectDelimiter(text: string): Delimiter {
  const candidates: Delimiter[] = [',', ';', '\t'];
  const lines: Record<Delimiter, number[]> = { ',': [], ';': [], '\t': [] };
  let counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  let lineCount = 0;
  for (let i = 0; i < text.length && lineCount < 50; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      for (const d of candidates) lines[d].push(counts[d]);
      counts = { ',': 0, ';': 0, '\t': 0 };
      lineCount++;
    } else if (!inQuotes && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (lineCount < 50) for (const d of candidates) lines[d].push(counts[d]);
  let best: Delimiter = ',';
  let bestScore = -1;
  for (const d of candidates) {
    const per = lines[d].filter((_, i) => i < lines[d].length);
    const first = per[0] ?? 0;
    if (first === 0) continue;
    const consistent = per.filter((c) => c === first).length / per.length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/**
 * The line ending that ends most rows of the sample, counting only line breaks outside quoted
 * fields (the reader passes it to the parser). Left to guess by itself, papaparse looked at its
 * first 1 MB chunk, and a quoted field still open at the chunk's end, holding bare CRs (an
 * exported note with old Mac line breaks), made it pick CR for a CRLF file: every row then began
 * with the LF of the one before.
 */
export function detectLineEnding(text: string): LineEnding {
  const counts: Record<LineEnding, number> = { crlf: 0, lf: 0, cr: 0 };
  let inQuotes = false;
  let seen = 0;
  // A CR as the sample's last character may be half of a CRLF cut by the sample: not counted.
  for (let i = 0; i < text.length && seen < 1000; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (ch === '\n') {
      counts.lf++;
      seen++;
    } else if (ch === '\r' && i + 1 < text.length) {
      if (text[i + 1] === '\n') {
        counts.crlf++;
        i++;
      } else counts.cr++;
      seen++;
    }
  }
  if (seen === 0) return 'lf';
  // Most frequent; a tie goes to CRLF, then LF.
  return counts.crlf >= counts.lf && counts.crlf >= counts.cr ? 'crlf' : counts.lf >= counts.cr ? 'lf' : 'cr';
}

/** The newline string of a line ending, as the parser takes it. */
export const NEWLINE: Record<LineEnding, '\r\n' | '\n' | '\r'> = { crlf: '\r\n', lf: '\n', cr: '\r' };

export function detectFormat(sample: Buffer): CsvFormat {
  if (sample.length === 0) throw new CsvFileError('The file is empty.');
  const { encoding, bom } = detectEncoding(sample);
  const text = decodeSample(sample, encoding);
  if (text.trim() === '') throw new CsvFileError('The file is empty.');
  return { encoding, bom, delimiter: detectDelimiter(text), lineEnding: detectLineEnding(text) };
}

/** A streaming decoder from the file's encoding to UTF-8 text, dropping the BOM. */
export function decoderStream(encoding: Encoding): Transform {
  const decoder = new TextDecoder(encoding);
  let first = true;
  return new Transform({
    decodeStrings: true,
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      let text = decoder.decode(chunk, { stream: true });
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      done(null, text);
    },
    flush(done: TransformCallback) {
      done(null, decoder.decode());
    },
  });
}
