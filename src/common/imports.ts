import { CONSENT_BASES, type ConsentBasis } from './email.js';
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
  'consentBasis',
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

/**
 * Marketing email for the contacts an import creates (never for contacts it updates: they keep
 * their status, and an import never subscribes an existing contact again):
 * - `subscribed`: every new contact is subscribed, with this lawful basis and source;
 * - `not_subscribed`: no new contact is subscribed;
 * - `column`: the mapped subscription column says, row by row (see subscriptionFromCell); the
 *   lawful basis comes from a mapped "consent basis" column, else `consent`; the source is
 *   "Import <file name>".
 * In every mode an explicit opt-out in the subscription column (unsubscribed, bounced, complained)
 * applies, to new contacts and to existing ones that are not opted out yet.
 * Imports started before this option existed behave as `not_subscribed`.
 */
export const IMPORT_MARKETING_MODES = ['subscribed', 'not_subscribed', 'column'] as const;
export type ImportMarketingMode = (typeof IMPORT_MARKETING_MODES)[number];
export type ImportMarketing =
  | { mode: 'subscribed'; basis: ConsentBasis; source: string }
  | { mode: 'not_subscribed' }
  | { mode: 'column' };

/** The subscription states a CSV cell can bring. */
export type CellSubscription = 'subscribed' | 'not_subscribed' | 'unsubscribed' | 'bounced' | 'complained';
export const OPT_OUT_STATUSES = ['unsubscribed', 'bounced', 'complained'] as const;

const YES = new Set([
  'subscribed',
  'yes',
  'y',
  'true',
  '1',
  'x',
  'opted in',
  'opt in',
  'optin',
  'opted-in',
  'opt-in',
  'ja',
  'oui',
  'si',
]);
const OPT_OUT: Record<string, CellSubscription> = {
  unsubscribed: 'unsubscribed',
  unsubscribe: 'unsubscribed',
  'opted out': 'unsubscribed',
  'opt out': 'unsubscribed',
  'opted-out': 'unsubscribed',
  'opt-out': 'unsubscribed',
  optout: 'unsubscribed',
  bounced: 'bounced',
  complained: 'complained',
};

/**
 * Reads a subscription cell: yes-like values (subscribed, yes, true, 1, opted in…) subscribe,
 * unsubscribed / opted out / bounced / complained opt out, anything else is not subscribed.
 */
export function subscriptionFromCell(value: string): CellSubscription {
  const v = value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (YES.has(v)) return 'subscribed';
  return OPT_OUT[v] ?? 'not_subscribed';
}

/** Reads a lawful-basis cell ("Legitimate interest", "legitimate_interest", …); undefined if unknown. */
export function consentBasisFromCell(value: string): ConsentBasis | undefined {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (CONSENT_BASES as readonly string[]).includes(v) ? (v as ConsentBasis) : undefined;
}

/** What is wrong with the marketing choice for this mapping, if anything (wizard and server). */
export function marketingProblem(
  marketing: ImportMarketing | undefined,
  mapping: ImportTarget[],
): string | undefined {
  if (!marketing) return 'Choose what happens to marketing email for the new contacts.';
  if (marketing.mode === 'subscribed' && !marketing.source.trim())
    return 'Say where these people gave consent (the source), e.g. “Webinar sign-up form 2026”.';
  if (
    marketing.mode === 'column' &&
    !mapping.some((t) => t.type === 'standard' && t.field === 'subscriptionStatus')
  )
    return 'Choose the column that holds the subscription status, or another marketing choice.';
  return undefined;
}
