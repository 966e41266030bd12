import type { Res } from '@/lib/api';

export {
  type ImportTarget as Target,
  NEW_FIELD_TYPES,
  type NewFieldType,
  STANDARD_TARGETS as STANDARD_FIELDS,
  type StandardTarget as StandardField,
} from '@common/imports';

/**
 * An import as the API returns it (GET /api/v1/imports/{id}): `preview` holds the file's first rows
 * (up to 20) as text, `raggedRows` the row numbers (header = row 1) whose field count differs from the
 * header's (capped at 1,000), `suggestedMapping` comes only with the upload and a format change.
 * File contents are untrusted: render as text.
 */
export type Import = Res<'/api/v1/imports/{id}', 'get'>;
export type ImportStatus = Import['status'];
export type CsvFormat = Import['format'];
export type Encoding = CsvFormat['encoding'];
export type Delimiter = CsvFormat['delimiter'];
export type DuplicatePolicy = NonNullable<Import['duplicatePolicy']>;

/** The choices the format card offers, in its order. */
export const ENCODINGS: readonly Encoding[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

export const importsKey = (orgId: string) => ['orgs', orgId, 'imports'] as const;
export const importKey = (orgId: string, id: string) => [...importsKey(orgId), 'detail', id] as const;

export const isActive = (status: ImportStatus) => status === 'queued' || status === 'running';

/** The per-row error report (row, column, value, reason) as a CSV download. */
export const errorReportUrl = (id: string) => `/api/v1/imports/${encodeURIComponent(id)}/errors.csv`;
