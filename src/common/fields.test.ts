import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldKeyOf as serverFieldKeyOf } from '../server/modules/fields/field-values.js';
import { newFieldKey } from '../server/modules/imports/import-rows.js';
import { fieldKeyOf } from './fields.js';

describe('fieldKeyOf (the key a custom field gets from its label)', () => {
  it('derives a-z, 0-9 and _ keys that start with a letter', () => {
    expect(fieldKeyOf('Lead score')).toBe('lead_score');
    expect(fieldKeyOf('  Date de naissance (client) ')).toBe('date_de_naissance_client');
    expect(fieldKeyOf('Ünïcödé façade')).toBe('unicode_facade');
    expect(fieldKeyOf('1st order')).toBe('f_1st_order');
    expect(fieldKeyOf('__proto__')).toBe('proto');
    expect(fieldKeyOf('売上')).toBe('f_field');
    expect(fieldKeyOf('x'.repeat(60))).toBe('x'.repeat(40));
  });

  it('is the one rule the server uses (fields service, imports)', () => {
    expect(serverFieldKeyOf).toBe(fieldKeyOf);
    expect(newFieldKey).toBe(fieldKeyOf);
  });

  it('is not re-implemented in the web UI, which imports it from @common/fields', () => {
    const webRoot = path.resolve(import.meta.dirname, '../web');
    const files = (fs.readdirSync(webRoot, { recursive: true }) as string[])
      .filter((f) => /\.(ts|tsx)$/.test(f))
      .map((f) => path.join(webRoot, f));
    const copies = files.filter((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return /normalize\('NFKD'\)/.test(text) && /\[\^a-z0-9\]\+/.test(text);
    });
    expect(copies.map((f) => path.relative(webRoot, f))).toEqual([]);
    for (const file of [
      'features/custom-fields/components/field-types.ts',
      'features/imports/lib/targets.ts',
    ]) {
      expect(fs.readFileSync(path.join(webRoot, file), 'utf8'), file).toMatch(
        /import \{[^}]*\bfieldKeyOf\b[^}]*\} from '@common\/fields'/,
      );
    }
  });
});
