/** Constants and pure helpers of the mapping step (no components). */
import { ApiError } from '@/lib/api';
import { formatNumber } from '@/lib/utils';
import { type DuplicatePolicy, STANDARD_FIELDS, type StandardField, type Target } from '../api/types';

export const IGNORE: Target = { type: 'ignore' };
export const LINE_ENDINGS: Record<string, string> = {
  crlf: 'Windows (CRLF)',
  lf: 'Unix (LF)',
  cr: 'old Mac (CR)',
};

export const POLICY_OPTIONS: ReadonlyArray<{ value: DuplicatePolicy; label: string; description: string }> = [
  {
    value: 'create_update',
    label: 'Create and update',
    description:
      'New email addresses become contacts; contacts that already exist get the values from the file.',
  },
  {
    value: 'create_only',
    label: 'Create only',
    description: 'Only new contacts are added. Rows whose email already exists are skipped.',
  },
  {
    value: 'update_only',
    label: 'Update only',
    description: 'Only existing contacts are updated. Rows with an unknown email are skipped.',
  },
];

export function parseTarget(value: string, header: string, previous: Target): Target {
  if (value === 'ignore') return IGNORE;
  if (value === 'new') {
    return previous.type === 'new_field'
      ? previous
      : { type: 'new_field', label: header.slice(0, 80), fieldType: 'text' };
  }
  if (value.startsWith('standard:')) {
    const field = value.slice('standard:'.length) as StandardField;
    return STANDARD_FIELDS.includes(field) ? { type: 'standard', field } : IGNORE;
  }
  if (value.startsWith('custom:')) return { type: 'custom', key: value.slice('custom:'.length) };
  return IGNORE;
}

/** Up to three non-empty values of a column from the preview, on one line each. */
export function samples(preview: string[][], column: number): string[] {
  const out: string[] = [];
  for (const row of preview) {
    const v = row[column]?.trim();
    if (v && !out.includes(v)) out.push(v);
    if (out.length === 3) break;
  }
  return out;
}

/** The issue index of a server error aimed at one column (`details.issues[].path = ['mapping', i]`). */
export function serverColumnErrors(error: unknown): Record<number, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<number, string> = {};
  for (const issue of error.issues) {
    if (issue.path[0] === 'mapping' && issue.path.length > 1) {
      const i = Number(issue.path[1]);
      if (Number.isInteger(i) && !(i in out)) out[i] = issue.message;
    }
  }
  return out;
}

export function raggedSummary(rows: number[]): string {
  const shown = rows.slice(0, 8).map(formatNumber);
  const last = shown.length > 1 && rows.length <= 8 ? shown.pop() : undefined;
  const list = last ? `${shown.join(', ')} and ${last}` : shown.join(', ');
  return rows.length > 8 ? `Rows ${list} and more.` : rows.length === 1 ? `Row ${list}.` : `Rows ${list}.`;
}
