import { describe, expect, it } from 'vitest';
import { consentBasisFromCell, type ImportMarketing, subscriptionFromCell } from '../../../common/imports.js';
import { createRowMapper } from './import-rows.js';
import type { Target } from './mapping.js';

/** The marketing choice of an import, row by row (no database: the mapper alone). */
describe('import rows: marketing email for new contacts', () => {
  const headers = ['email', 'subscribed', 'consent basis'];
  const mapping: Target[] = [
    { type: 'standard', field: 'email' },
    { type: 'standard', field: 'subscriptionStatus' },
    { type: 'standard', field: 'consentBasis' },
  ];
  const map = (marketing: ImportMarketing | undefined, cells: string[]) =>
    createRowMapper({ headers, mapping, defs: [], extraTags: [], marketing, fileName: 'list.csv' }).map(2, [
      'a@example.com',
      ...cells,
    ]);

  it('reads subscription cells: yes-like subscribe, opt-outs opt out, anything else does not', () => {
    for (const v of ['subscribed', 'Yes', 'TRUE', '1', 'opted in', 'Opt-in', ' y '])
      expect(subscriptionFromCell(v), v).toBe('subscribed');
    for (const v of ['unsubscribed', 'Opted out', 'opt-out'])
      expect(subscriptionFromCell(v), v).toBe('unsubscribed');
    expect(subscriptionFromCell('bounced')).toBe('bounced');
    expect(subscriptionFromCell('complained')).toBe('complained');
    for (const v of ['no', 'false', '0', '', 'maybe', 'not_subscribed'])
      expect(subscriptionFromCell(v), v).toBe('not_subscribed');
    expect(consentBasisFromCell('Legitimate interest')).toBe('legitimate_interest');
    expect(consentBasisFromCell('legal-obligation')).toBe('legal_obligation');
    expect(consentBasisFromCell('CONTRACT')).toBe('contract');
    expect(consentBasisFromCell('because')).toBeUndefined();
  });

  it('without a marketing choice (imports from before it existed) subscribes nobody', () => {
    expect(map(undefined, ['yes', 'consent']).staged).toMatchObject({
      subscription_status: 'not_subscribed',
      consent_basis: null,
      consent_source: null,
    });
    expect(map({ mode: 'not_subscribed' }, ['yes', '']).staged).toMatchObject({
      subscription_status: 'not_subscribed',
      consent_basis: null,
    });
  });

  it('mode subscribed gives every row the basis and source, unless the row opts out', () => {
    const m: ImportMarketing = { mode: 'subscribed', basis: 'contract', source: 'Customers 2026' };
    expect(map(m, ['', '']).staged).toMatchObject({
      subscription_status: 'subscribed',
      consent_basis: 'contract',
      consent_source: 'Customers 2026',
    });
    expect(map(m, ['no', 'nonsense']).staged).toMatchObject({ subscription_status: 'subscribed' });
    expect(map(m, ['unsubscribed', '']).staged).toMatchObject({
      subscription_status: 'unsubscribed',
      consent_basis: null,
    });
  });

  it('mode column reads the row: basis from the column or consent, source "Import <file>"', () => {
    const m: ImportMarketing = { mode: 'column' };
    expect(map(m, ['yes', 'legitimate interest']).staged).toMatchObject({
      subscription_status: 'subscribed',
      consent_basis: 'legitimate_interest',
      consent_source: 'Import list.csv',
    });
    expect(map(m, ['1', '']).staged).toMatchObject({
      subscription_status: 'subscribed',
      consent_basis: 'consent',
    });
    expect(map(m, ['no', 'consent']).staged).toMatchObject({
      subscription_status: 'not_subscribed',
      consent_basis: null,
    });
    expect(map(m, ['complained', '']).staged).toMatchObject({ subscription_status: 'complained' });
    // An unknown basis is a row error in this mode (it would be recorded as the basis).
    const bad = map(m, ['yes', 'because']);
    expect(bad.staged).toBeUndefined();
    expect(bad.errors[0]).toMatchObject({ column: 'consent basis', value: 'because' });
  });
});
