import { fieldKeyOf } from './fields.js';

/** What a CSV column can be mapped to, shared by the import API and the import wizard. */

/** Standard contact fields an import column can fill. */
export const STANDARD_TARGETS = [
  'email',
  'firstName',
  'lastName',
  'fullName',
  'phone',
  'companyName',
  'jobTitle',
  'source',
  'tags',
  'street',
  'city',
  'region',
  'postalCode',
  'country',
  'subscriptionStatus',
] as const;
export type StandardTarget = (typeof STANDARD_TARGETS)[number];

/** Custom-field types the wizard can create on the spot from a column. */
export const NEW_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'url', 'email', 'phone'] as const;
export type NewFieldType = (typeof NEW_FIELD_TYPES)[number];

/** Where one CSV column goes: a standard field, a custom field, a new custom field, or nowhere. */
export type ImportTarget =
  | { type: 'ignore' }
  | { type: 'standard'; field: StandardTarget }
  | { type: 'custom'; key: string }
  | { type: 'new_field'; label: string; fieldType: NewFieldType };

/** What is wrong with a mapping: per column index, and for the mapping as a whole. */
export interface MappingProblems {
  columns: Record<number, string>;
  general: string[];
}

/** What the target writes to, to find two columns aimed at the same place. */
export function targetSlot(t: ImportTarget): string | null {
  if (t.type === 'ignore') return null;
  if (t.type === 'standard') return t.field;
  if (t.type === 'custom') return `custom.${t.key}`;
  return `custom.${fieldKeyOf(t.label)}`;
}

const IDENTITY_SLOTS = ['email', 'firstName', 'lastName', 'fullName', 'phone'];

/**
 * The mapping rules, run by the wizard next to each column and by the server before an import
 * starts: one target per column, no two columns into one field, custom fields that exist, new
 * fields whose key is free, an email column for update-only, and something that identifies a
 * contact (email, name or phone).
 */
export function checkMapping(
  mapping: ImportTarget[],
  headers: string[],
  fields: ReadonlyArray<{ key: string; label: string }>,
  policy: 'create_update' | 'create_only' | 'update_only',
): MappingProblems {
  const columns: Record<number, string> = {};
  const general: string[] = [];
  if (mapping.length !== headers.length) {
    general.push(`Give one target per column (${headers.length}), not ${mapping.length}.`);
  }
  const seen = new Map<string, number>();
  mapping.forEach((t, i) => {
    if (t.type === 'new_field') {
      if (!t.label.trim()) {
        columns[i] = 'Give the new field a name';
        return;
      }
      const existing = fields.find((f) => f.key === fieldKeyOf(t.label));
      if (existing) {
        columns[i] = `A field “${existing.label}” already exists: choose it instead`;
        return;
      }
    }
    if (t.type === 'custom' && !fields.some((f) => f.key === t.key)) {
      columns[i] = `There is no custom field ${t.key}`;
      return;
    }
    const slot = targetSlot(t);
    if (!slot) return;
    const first = seen.get(slot);
    if (first !== undefined) {
      columns[i] = `Already imported from column ${first + 1} (${headers[first] ?? '?'})`;
      return;
    }
    seen.set(slot, i);
  });
  if (policy === 'update_only' && !seen.has('email')) {
    general.push('“Update only” matches contacts by email: choose the column that holds the email address.');
  }
  if (!IDENTITY_SLOTS.some((k) => seen.has(k))) {
    general.push('Import at least one of email, name or phone, or contacts cannot be told apart.');
  }
  return { columns, general };
}
