/** Imports as the API returns them (GET /api/v1/imports/{id}). File contents are untrusted: render as text. */

import type { ImportTarget as Target } from '@common/imports';

export {
  type ImportTarget as Target,
  NEW_FIELD_TYPES,
  type NewFieldType,
  STANDARD_TARGETS as STANDARD_FIELDS,
  type StandardTarget as StandardField,
} from '@common/imports';

export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface CsvFormat {
  encoding: Encoding;
  bom: boolean;
  delimiter: Delimiter;
  lineEnding: 'crlf' | 'lf' | 'cr';
}

export type ImportStatus = 'uploaded' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type DuplicatePolicy = 'create_update' | 'create_only' | 'update_only';

export interface Import {
  id: string;
  status: ImportStatus;
  fileName: string;
  fileSize: number;
  format: CsvFormat;
  headers: string[];
  /** The first rows of the file (up to 20), as text. */
  preview: string[][];
  totalRows: number;
  /** Row numbers (header = row 1) whose field count differs from the header's; capped at 1,000. */
  raggedRows: number[];
  mapping: Target[] | null;
  duplicatePolicy: DuplicatePolicy | null;
  extraTags: string[];
  dryRun: boolean;
  progress: {
    rowsDone: number;
    totalRows: number;
    percent: number;
    rowsPerSecond: number | null;
    secondsLeft: number | null;
  };
  /** unchanged: matched a contact that already had every value of the row (nothing written). */
  counts: { created: number; updated: number; unchanged: number; skipped: number; failed: number };
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Only in the answers of the upload and of a format change. */
  suggestedMapping?: Target[];
}

export const importsKey = (orgId: string) => ['orgs', orgId, 'imports'] as const;
export const importKey = (orgId: string, id: string) => [...importsKey(orgId), 'detail', id] as const;

export const isActive = (status: ImportStatus) => status === 'queued' || status === 'running';

/** The per-row error report (row, column, value, reason) as a CSV download. */
export const errorReportUrl = (id: string) => `/api/v1/imports/${encodeURIComponent(id)}/errors.csv`;
