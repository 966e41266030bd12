import { CUSTOM_FIELD_TYPES } from '../../../common/contacts.js';
import { unguardFormula } from '../../../common/csv-safe.js';
import type { ConsentBasis } from '../../../common/email.js';
import { fieldKeyOf } from '../../../common/fields.js';
import {
  type CellSubscription,
  consentBasisFromCell,
  type ImportMarketing,
  OPT_OUT_STATUSES,
  subscriptionFromCell,
} from '../../../common/imports.js';
import type { UpsertRow } from '../contacts/write/upsert.js';
import { FieldValueError, isValidDate, normaliseValue } from '../fields/field-values.js';
import type { FieldDef } from '../fields/fields.repo.js';
import type { Target } from './mapping.js';

/** One CSV row turned into contact values: the shape the contacts write path upserts. */
export type StagedRow = UpsertRow;

export interface RowError {
  row: number;
  column: string;
  value: string;
  reason: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[+()0-9 .\-/x]{3,40}$/i;
const LIMITS = { first_name: 100, last_name: 100, job_title: 200, company_name: 200, source: 100 } as const;

/** Reads a CSV cell as a typed custom-field value (spreadsheets write numbers, dates, booleans as text). */
export function coerceCell(def: FieldDef, raw: string): unknown {
  const v = raw.trim();
  if (v === '') return null;
  switch (def.type) {
    case 'number': {
      const s = /^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(v)
        ? v.replace(/\./g, '').replace(',', '.')
        : v.replace(/,(?=\d+$)/, '.');
      return normaliseValue(def, /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(s) ? Number(s) : v);
    }
    case 'boolean': {
      const l = v.toLowerCase();
      if (['true', 'yes', 'y', '1', 'ja', 'oui', 'si', 'x'].includes(l)) return true;
      if (['false', 'no', 'n', '0', 'nein', 'non'].includes(l)) return false;
      return normaliseValue(def, v);
    }
    case 'date': {
      let iso = v;
      const dmy = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(v);
      if (dmy) iso = `${dmy[3]}-${dmy[2]!.padStart(2, '0')}-${dmy[1]!.padStart(2, '0')}`;
      if (/^\d{4}-\d{2}-\d{2}T/.test(v)) iso = v.slice(0, 10);
      return normaliseValue(def, isValidDate(iso) ? iso : v);
    }
    case 'multi_select':
      return normaliseValue(
        def,
        v
          .split(/[;,]/)
          .map((x) => x.trim())
          .filter(Boolean),
      );
    default:
      return normaliseValue(def, v);
  }
}

export interface RowMapper {
  map(row: number, fields: string[]): { staged?: StagedRow; errors: RowError[] };
}

export function createRowMapper(opts: {
  headers: string[];
  mapping: Target[];
  defs: FieldDef[];
  extraTags: string[];
  tagSeparator?: RegExp;
  /** Marketing email for new contacts (default: not subscribed, as imports before the option). */
  marketing?: ImportMarketing;
  /** The file's name, for the consent source of mode `column`. */
  fileName?: string;
}): RowMapper {
  const { headers, mapping } = opts;
  const marketing: ImportMarketing = opts.marketing ?? { mode: 'not_subscribed' };
  const columnSource = `Import ${opts.fileName ?? 'file'}`.slice(0, 200);
  const byKey = new Map(opts.defs.map((d) => [d.key, d]));
  const sep = opts.tagSeparator ?? /[;,]/;
  return {
    map(row, fields) {
      const errors: RowError[] = [];
      if (fields.length !== headers.length) {
        errors.push({
          row,
          column: '',
          value: fields.join(', ').slice(0, 200),
          reason: `The row has ${fields.length} fields; the header has ${headers.length}`,
        });
        return { errors };
      }
      const r: StagedRow = {
        row,
        email: null,
        first_name: '',
        last_name: '',
        phones: [],
        job_title: '',
        company_name: '',
        source: 'import',
        address: null,
        subscription_status: 'not_subscribed',
        consent_basis: null,
        consent_source: null,
        tags: [...opts.extraTags],
        custom: {},
      };
      let fullName = '';
      let cell: CellSubscription | undefined;
      let cellBasis: ConsentBasis | undefined;
      const fail = (i: number, value: string, reason: string) =>
        errors.push({ row, column: headers[i]!, value: value.slice(0, 500), reason });
      for (let i = 0; i < mapping.length; i++) {
        const t = mapping[i]!;
        // A cell our exporter guarded against formulas ('+33 6…) reads back as it was (+33 6…).
        const raw = unguardFormula(fields[i] ?? '');
        const v = raw.trim();
        if (t.type === 'ignore' || v === '') continue;
        if (t.type === 'standard') {
          switch (t.field) {
            case 'email': {
              const e = v.toLowerCase();
              if (e.length > 254 || !EMAIL.test(e)) fail(i, raw, 'Not a valid email address');
              else r.email = e;
              break;
            }
            case 'firstName':
            case 'lastName':
            case 'jobTitle':
            case 'companyName':
            case 'source': {
              const col = (
                {
                  firstName: 'first_name',
                  lastName: 'last_name',
                  jobTitle: 'job_title',
                  companyName: 'company_name',
                  source: 'source',
                } as const
              )[t.field];
              if (v.length > LIMITS[col]) fail(i, raw, `Longer than ${LIMITS[col]} characters`);
              else r[col] = v;
              break;
            }
            case 'fullName':
              fullName = v.slice(0, 200);
              break;
            case 'phone':
              for (const p of v
                .split(/[;,]/)
                .map((x) => x.trim())
                .filter(Boolean)) {
                if (!PHONE.test(p)) fail(i, raw, 'Not a phone number');
                else r.phones.push(p);
              }
              break;
            case 'tags':
              for (const tag of v
                .split(sep)
                .map((x) => x.trim())
                .filter(Boolean)) {
                if (tag.length > 60) fail(i, raw, 'A tag is longer than 60 characters');
                else r.tags.push(tag);
              }
              break;
            case 'subscriptionStatus':
              cell = subscriptionFromCell(v);
              break;
            case 'consentBasis':
              cellBasis = consentBasisFromCell(v);
              if (!cellBasis && marketing.mode === 'column')
                fail(i, raw, 'Must be consent, contract, legitimate interest or legal obligation');
              break;
            default: {
              if (v.length > 200) fail(i, raw, 'Longer than 200 characters');
              else r.address = { ...(r.address ?? {}), [t.field]: v };
            }
          }
        } else {
          const key = t.type === 'custom' ? t.key : newFieldKey(t.label);
          const def = byKey.get(key);
          if (!def) {
            fail(i, raw, `Unknown custom field ${key}`);
            continue;
          }
          try {
            const value = coerceCell(def, raw);
            if (value !== null) r.custom[key] = value;
          } catch (err) {
            if (err instanceof FieldValueError) fail(i, raw, err.message);
            else throw err;
          }
        }
      }
      if (fullName && !r.first_name && !r.last_name) {
        const at = fullName.lastIndexOf(' ');
        r.first_name = at > 0 ? fullName.slice(0, at) : fullName;
        r.last_name = at > 0 ? fullName.slice(at + 1) : '';
      }
      // Marketing email (for a new contact; see upsert.ts for existing ones): an explicit opt-out
      // always applies; otherwise the import's choice.
      if (cell && (OPT_OUT_STATUSES as readonly string[]).includes(cell)) {
        r.subscription_status = cell;
      } else if (marketing.mode === 'subscribed') {
        r.subscription_status = 'subscribed';
        r.consent_basis = marketing.basis;
        r.consent_source = marketing.source.slice(0, 200);
      } else if (marketing.mode === 'column' && cell === 'subscribed') {
        r.subscription_status = 'subscribed';
        r.consent_basis = cellBasis ?? 'consent';
        r.consent_source = columnSource;
      }
      if (errors.length) return { errors };
      if (!r.email && r.phones.length === 0 && !r.first_name && !r.last_name) {
        return { errors: [{ row, column: '', value: '', reason: 'The row has no email, phone or name' }] };
      }
      return { staged: r, errors };
    },
  };
}

/** The key a "new field" target gets (the fields service's rule). */
export const newFieldKey = fieldKeyOf;

export const IMPORTABLE_FIELD_TYPES = CUSTOM_FIELD_TYPES;

/**
 * Merges rows that share an email inside one batch: later rows win for each non-empty value,
 * tags and phones are combined. Returns the merged rows and a note per absorbed row.
 */
export function mergeDuplicates(rows: StagedRow[]): { rows: StagedRow[]; notes: RowError[] } {
  const byEmail = new Map<string, StagedRow>();
  const at = new Map<string, number>(); // email → index in out (no linear search per duplicate)
  const out: StagedRow[] = [];
  const notes: RowError[] = [];
  for (const r of rows) {
    if (!r.email) {
      out.push(r);
      continue;
    }
    const prev = byEmail.get(r.email);
    if (!prev) {
      byEmail.set(r.email, r);
      at.set(r.email, out.length);
      out.push(r);
      continue;
    }
    notes.push({
      row: prev.row,
      column: 'email',
      value: r.email,
      reason: `Same email as row ${r.row}: merged into it (row ${r.row} wins where both have a value)`,
    });
    const merged: StagedRow = {
      ...prev,
      ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '' && v !== null)),
      phones: [...new Set([...prev.phones, ...r.phones])],
      tags: [...new Set([...prev.tags, ...r.tags])],
      custom: { ...prev.custom, ...r.custom },
      address: prev.address || r.address ? { ...(prev.address ?? {}), ...(r.address ?? {}) } : null,
    } as StagedRow;
    out[at.get(r.email)!] = merged;
    byEmail.set(r.email, merged);
  }
  return { rows: out, notes };
}
