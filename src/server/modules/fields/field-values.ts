import type { FieldDef } from './fields.repo.js';

export { fieldKeyOf } from '../../../common/fields.js';

/** Validates and normalises custom field values against their definitions. */
export class FieldValueError extends Error {
  constructor(
    public readonly path: string[],
    message: string,
  ) {
    super(message);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PHONE = /^[+()0-9 .\-/x]{3,40}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A calendar date `YYYY-MM-DD`, years 0001–9999 (PostgreSQL has no year 0). */
export function isValidDate(value: string): boolean {
  if (!DATE.test(value) || value.startsWith('0000')) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function fail(def: FieldDef, message: string): never {
  throw new FieldValueError(['customFields', def.key], `${def.label} (${def.key}) ${message}`);
}

/** Returns the normalised value, or null to remove it. */
export function normaliseValue(def: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return null;
  switch (def.type) {
    case 'text':
    case 'long_text': {
      if (typeof value !== 'string') fail(def, 'must be text');
      const max = def.type === 'text' ? 2_000 : 100_000;
      if (value.length > max) fail(def, `must be at most ${max} characters`);
      return value;
    }
    case 'number': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n)) fail(def, `must be a number (got ${preview(value)})`);
      return n;
    }
    case 'date':
      if (typeof value !== 'string' || !isValidDate(value))
        fail(def, 'must be a date like 2024-12-31 (years 0001–9999)');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail(def, 'must be true or false');
      return value;
    case 'single_select':
      if (typeof value !== 'string' || !def.options.includes(value)) {
        fail(def, `must be one of: ${def.options.join(', ')}`);
      }
      return value;
    case 'multi_select': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !def.options.includes(v))) {
        fail(def, `must be a list of: ${def.options.join(', ')}`);
      }
      return [...new Set(value as string[])];
    }
    case 'url': {
      if (typeof value !== 'string' || value.length > 2048) fail(def, 'must be a URL');
      try {
        const u = new URL(value);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(def, 'must be an http(s) URL');
      } catch {
        fail(def, 'must be a URL like https://example.com');
      }
      return value;
    }
    case 'email':
      if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value))
        fail(def, 'must be an email address');
      return value.trim().toLowerCase();
    case 'phone':
      if (typeof value !== 'string' || !PHONE.test(value.trim())) fail(def, 'must be a phone number');
      return value.trim();
  }
}

/** A short, safe rendering of a refused value (never stringifies a deeply nested one). */
function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value).slice(0, 40);
}

/** Sets an own, enumerable property, even for a key like `__proto__` (plain assignment would change the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Merges `input` into `current` (a contact's or company's `custom`), validating every key.
 * Unknown keys are refused; `null` removes a value; required fields must end up with a value.
 */
export function applyCustomFields(
  defs: FieldDef[],
  current: Record<string, unknown>,
  input: Record<string, unknown> | undefined,
  opts: { creating: boolean },
): Record<string, unknown> {
  // Own properties only, throughout: a field keyed "constructor" must not find Object's.
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(input ?? {})) {
    const def = byKey.get(key);
    if (!def) throw new FieldValueError(['customFields', key], `Unknown custom field "${key}"`);
    const v = normaliseValue(def, value);
    if (v === null) delete next[key];
    else setOwn(next, key, v);
  }
  for (const def of defs) {
    const value = Object.hasOwn(next, def.key) ? next[def.key] : undefined;
    if (def.required && (value === undefined || value === null)) {
      if (opts.creating || (input && Object.hasOwn(input, def.key))) {
        throw new FieldValueError(['customFields', def.key], `${def.label} (${def.key}) is required`);
      }
    }
  }
  return next;
}
