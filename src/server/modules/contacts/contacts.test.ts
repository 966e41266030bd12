import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { waitFor } from '../../../../test/helpers/wait.js';

describe.skipIf(databaseMissing)('contacts', () => {
  let server: TestServer;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await createTestServer();
  });
  // Each test gets its own organisation (and data): no test sees what another one made.
  beforeEach(async () => {
    org = await createOrg(server, ['viewer']);
    c = client(server, org.owner);
    expect(
      (await c.post('/api/v1/fields', { entity: 'contact', label: 'Score', key: 'score', type: 'number' }))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await c.post('/api/v1/fields', {
          entity: 'contact',
          label: 'Plan',
          key: 'plan',
          type: 'single_select',
          options: ['free', 'pro'],
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await c.post('/api/v1/fields', { entity: 'contact', label: 'Renewal', key: 'renewal', type: 'date' }))
        .statusCode,
    ).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Twelve contacts F0…F11: tag odd or even, custom score = i. */
  async function addNumberedPeople() {
    for (let i = 0; i < 12; i++) {
      const res = await c.post('/api/v1/contacts', {
        firstName: `F${i}`,
        email: `f${i}@filter.test`,
        tags: i % 2 ? ['odd'] : ['even'],
        customFields: { score: i },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  }

  const count = async () =>
    Number(
      (
        await server.runtime.database.query<{ n: number }>(
          'select count(*)::int as n from contacts where org_id = $1',
          [org.orgId],
        )
      ).rows[0]!.n,
    );

  it('creates a contact with tags and custom fields, and records it on the timeline', async () => {
    const res = await c.post('/api/v1/contacts', {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: '  Ada@Example.COM ',
      phones: ['+44 20 7946 0000'],
      tags: ['VIP', 'newsletter'],
      customFields: { score: 42, plan: 'pro', renewal: '2025-01-31' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const contact = res.json();
    expect(contact).toMatchObject({
      firstName: 'Ada',
      email: 'ada@example.com',
      tags: ['newsletter', 'VIP'],
      customFields: { score: 42, plan: 'pro', renewal: '2025-01-31' },
      subscriptionStatus: 'not_subscribed',
      consent: null,
      restricted: false,
    });
    const tl = (await c.get(`/api/v1/contacts/${contact.id}/timeline`)).json();
    expect(tl.items).toHaveLength(1);
    expect(tl.items[0]).toMatchObject({
      type: 'contact.created',
      data: { source: 'manual', tags: ['newsletter', 'VIP'] },
      actor: { type: 'user', name: expect.any(String) },
    });
  });

  describe('consent at the door', () => {
    it('creates contacts not subscribed unless told; subscribing without a lawful basis is a 400', async () => {
      const plain = await c.post('/api/v1/contacts', { firstName: 'Plain', email: 'plain@consent.test' });
      expect(plain.statusCode, plain.body).toBe(201);
      expect(plain.json()).toMatchObject({ subscriptionStatus: 'not_subscribed', consent: null });

      const before = await count();
      const noConsent = await c.post('/api/v1/contacts', {
        firstName: 'Nope',
        email: 'nope@consent.test',
        subscriptionStatus: 'subscribed',
      });
      expect(noConsent.statusCode).toBe(400);
      expect(noConsent.json().error.code).toBe('VALIDATION_FAILED');
      expect(noConsent.json().error.message).toContain('consent.basis');
      const noBasis = await c.post('/api/v1/contacts', {
        firstName: 'Nope',
        email: 'nope@consent.test',
        subscriptionStatus: 'subscribed',
        consent: { source: 'Webinar sign-up form 2026' },
      });
      expect(noBasis.statusCode).toBe(400);
      expect(JSON.stringify(noBasis.json().error)).toContain('basis');
      const badBasis = await c.post('/api/v1/contacts', {
        firstName: 'Nope',
        subscriptionStatus: 'subscribed',
        consent: { basis: 'because', source: 'x' },
      });
      expect(badBasis.statusCode).toBe(400);
      const noSource = await c.post('/api/v1/contacts', {
        firstName: 'Nope',
        subscriptionStatus: 'subscribed',
        consent: { basis: 'consent', source: '  ' },
      });
      expect(noSource.statusCode).toBe(400);
      expect(JSON.stringify(noSource.json().error)).toContain('source');
      expect(await count()).toBe(before);

      const t0 = Date.now();
      const ok = await c.post('/api/v1/contacts', {
        firstName: 'Yes',
        email: 'yes@consent.test',
        subscriptionStatus: 'subscribed',
        consent: { basis: 'consent', source: 'Webinar sign-up form 2026' },
      });
      expect(ok.statusCode, ok.body).toBe(201);
      const yes = ok.json();
      expect(yes).toMatchObject({
        subscriptionStatus: 'subscribed',
        consent: { basis: 'consent', source: 'Webinar sign-up form 2026', at: expect.any(String) },
      });
      expect(new Date(yes.consent.at).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      expect(new Date(yes.consent.at).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      const [row] = (
        await server.runtime.database.query<{ b: string; s: string; at: Date | null }>(
          'select consent_basis as b, consent_source as s, consent_at as at from contacts where id = $1',
          [yes.id],
        )
      ).rows;
      expect(row).toMatchObject({ b: 'consent', s: 'Webinar sign-up form 2026' });
      expect(row!.at).not.toBeNull();
    });

    it('subscribing an existing contact records the consent on the timeline; other changes need none', async () => {
      const ct = (
        await c.post('/api/v1/contacts', { firstName: 'Later', email: 'later@consent.test' })
      ).json();
      const refused = await c.patch(`/api/v1/contacts/${ct.id}`, { subscriptionStatus: 'subscribed' });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toContain('consent.basis');
      expect((await c.get(`/api/v1/contacts/${ct.id}`)).json().subscriptionStatus).toBe('not_subscribed');

      const res = await c.patch(`/api/v1/contacts/${ct.id}`, {
        subscriptionStatus: 'subscribed',
        consent: { basis: 'contract', source: 'Order 1234 checkout' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        subscriptionStatus: 'subscribed',
        consent: { basis: 'contract', source: 'Order 1234 checkout', at: expect.any(String) },
      });
      const tl = (await c.get(`/api/v1/contacts/${ct.id}/timeline`)).json().items;
      expect(tl[0]).toMatchObject({
        type: 'contact.updated',
        data: {
          changes: expect.arrayContaining([
            { field: 'subscriptionStatus', before: 'not_subscribed', after: 'subscribed' },
            {
              field: 'consent',
              before: null,
              after: { basis: 'contract', source: 'Order 1234 checkout', at: res.json().consent.at },
            },
          ]),
        },
      });
      // Editing something else of a subscribed contact needs no consent again…
      expect((await c.patch(`/api/v1/contacts/${ct.id}`, { jobTitle: 'CFO' })).statusCode).toBe(200);
      // …but removing its consent record while it stays subscribed does.
      expect((await c.patch(`/api/v1/contacts/${ct.id}`, { consent: null })).statusCode).toBe(400);
      // Unsubscribing needs none.
      const off = await c.patch(`/api/v1/contacts/${ct.id}`, { subscriptionStatus: 'unsubscribed' });
      expect(off.statusCode).toBe(200);
      expect(off.json()).toMatchObject({
        subscriptionStatus: 'unsubscribed',
        consent: { basis: 'contract' },
      });
    });
  });

  it('shows the owner by name in lists and on the contact', async () => {
    const ct = (
      await c.post('/api/v1/contacts', {
        firstName: 'Owned',
        email: 'owned@example.com',
        ownerId: org.owner.userId,
      })
    ).json();
    expect(ct.owner).toEqual({ id: org.owner.userId, name: 'Olivia Owner' });
    const listed = (await c.get('/api/v1/contacts?search=owned@example.com')).json().items[0];
    expect(listed.owner).toEqual({ id: org.owner.userId, name: 'Olivia Owner' });
    expect(
      (await c.post('/api/v1/contacts', { firstName: 'X', ownerId: '00000000-0000-4000-8000-000000000001' }))
        .statusCode,
    ).toBe(400);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const before = await count();
    const cases: Array<[unknown, number, RegExp]> = [
      [{ email: 'not-an-email' }, 400, /email/],
      [{ firstName: 'X', customFields: { nope: 1 } }, 400, /Unknown custom field "nope"/],
      [{ firstName: 'X', customFields: { score: 'abc' } }, 400, /Score \(score\) must be a number/],
      [
        { firstName: 'X', customFields: { plan: 'enterprise' } },
        400,
        /Plan \(plan\) must be one of: free, pro/,
      ],
      [
        { firstName: 'X', customFields: { renewal: '2025-02-30' } },
        400,
        /Renewal \(renewal\) must be a date/,
      ],
      [{ firstName: 'x'.repeat(101) }, 400, /firstName/],
      [{ jobTitle: 'CEO' }, 400, /at least an email, a phone or a name/],
      [{ firstName: 'X', unknownField: 1 }, 400, /unknownField|Unrecognized/i],
    ];
    for (const [body, status, message] of cases) {
      const res = await c.post('/api/v1/contacts', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(
        `${res.json().error.message} ${JSON.stringify(res.json().error.details)}`,
        JSON.stringify(body),
      ).toMatch(message);
    }
    expect(await count()).toBe(before);
  });

  it('answers 409 naming the existing contact for a duplicate email (case and spaces ignored)', async () => {
    const first = (await c.post('/api/v1/contacts', { email: 'dup@example.com', firstName: 'One' })).json();
    const before = await count();
    const dup = await c.post('/api/v1/contacts', { email: ' DUP@example.com', firstName: 'Two' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: 'DUPLICATE_EMAIL', details: { contactId: first.id } });
    const other = (await c.post('/api/v1/contacts', { email: 'other@example.com' })).json();
    const patch = await c.patch(`/api/v1/contacts/${other.id}`, { email: 'Dup@Example.com' });
    expect(patch.statusCode).toBe(409);
    expect(await count()).toBe(before + 1);
  });

  it('records each change on the timeline with before and after', async () => {
    const ct = (
      await c.post('/api/v1/contacts', { firstName: 'Grace', jobTitle: 'Engineer', tags: ['a'] })
    ).json();
    const res = await c.patch(`/api/v1/contacts/${ct.id}`, {
      jobTitle: 'Rear Admiral',
      tags: ['b'],
      customFields: { score: 7 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ jobTitle: 'Rear Admiral', tags: ['b'], customFields: { score: 7 } });
    const events = (await c.get(`/api/v1/contacts/${ct.id}/timeline`)).json().items as Array<{
      type: string;
      data: Record<string, unknown>;
    }>;
    const updated = events.find((e) => e.type === 'contact.updated')!;
    expect(updated.data.changes).toEqual(
      expect.arrayContaining([
        { field: 'jobTitle', before: 'Engineer', after: 'Rear Admiral' },
        { field: 'custom.score', before: null, after: 7 },
      ]),
    );
    expect(events.find((e) => e.type === 'tag.added')?.data.tags).toEqual(['b']);
    expect(events.find((e) => e.type === 'tag.removed')?.data.tags).toEqual(['a']);
    expect((await c.patch(`/api/v1/contacts/${ct.id}`, { firstName: '' })).statusCode).toBe(400);
    // A failed update changes nothing and records nothing.
    const bad = await c.patch(`/api/v1/contacts/${ct.id}`, {
      jobTitle: 'X',
      customFields: { score: 'high' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await c.get(`/api/v1/contacts/${ct.id}`)).json().jobTitle).toBe('Rear Admiral');
    expect((await c.get(`/api/v1/contacts/${ct.id}/timeline`)).json().items).toHaveLength(events.length);
  });

  it('filters by tag and a number field, with a count; invalid filters name the bad condition', async () => {
    await addNumberedPeople();
    await c.post('/api/v1/contacts', { firstName: 'Grace', tags: ['b'], customFields: { score: 7 } });
    const res = await c.post('/api/v1/contacts/search', {
      filter: {
        and: [
          { field: 'tags', op: 'has_any', value: ['odd'] },
          { field: 'custom.score', op: 'gt', value: 5 },
        ],
      },
      includeCount: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().count).toBe(3); // 7, 9, 11
    expect(
      res
        .json()
        .items.map((x: { firstName: string }) => x.firstName)
        .sort(),
    ).toEqual(['F11', 'F7', 'F9']);

    const or = await c.post('/api/v1/contacts/search', {
      filter: {
        or: [
          { field: 'email', op: 'eq', value: 'F1@FILTER.test' },
          { field: 'firstName', op: 'starts_with', value: 'f10' },
        ],
      },
      includeCount: true,
    });
    expect(or.json().count).toBe(2);

    const bad = await c.post('/api/v1/contacts/search', {
      filter: {
        and: [
          { field: 'firstName', op: 'eq', value: 'x' },
          { field: 'custom.nope', op: 'eq', value: 1 },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('filter.and[1]: unknown field custom.nope');
    const eq7 = (
      await c.post('/api/v1/contacts/search', {
        filter: { field: 'custom.score', op: 'eq', value: 7 },
        includeCount: true,
      })
    ).json();
    expect(eq7.items.map((x: { firstName: string }) => x.firstName).sort()).toEqual(['F7', 'Grace']);
    const not7 = (
      await c.post('/api/v1/contacts/search', {
        filter: {
          and: [
            { field: 'tags', op: 'has_any', value: ['odd'] },
            { field: 'custom.score', op: 'neq', value: 7 },
          ],
        },
        includeCount: true,
      })
    ).json();
    expect(not7.count).toBe(5);
    const wrongOp = await c.post('/api/v1/contacts/search', {
      filter: { field: 'custom.score', op: 'contains', value: 'x' },
    });
    expect(wrongOp.statusCode).toBe(400);
    expect(wrongOp.json().error.message).toMatch(/^filter: operator contains does not fit custom.score/);
    const wrongValue = await c.post('/api/v1/contacts/search', {
      filter: { field: 'custom.score', op: 'gt', value: 'abc' },
    });
    expect(wrongValue.json().error.message).toBe('filter: value must be a number');
  });

  it('searches across name, email, company and phone', async () => {
    const co = (await c.post('/api/v1/companies', { name: 'Smithson Ltd', domain: 'smithson.test' })).json();
    await c.post('/api/v1/contacts', { firstName: 'Joe', lastName: 'Smith', email: 'joe@elsewhere.test' });
    await c.post('/api/v1/contacts', { firstName: 'Kim', email: 'kim@smithson.test' }); // linked by domain
    await c.post('/api/v1/contacts', { firstName: 'Lee', phones: ['+1 555 0199'] });
    const s = (await c.get('/api/v1/contacts?search=smith')).json().items as Array<{
      firstName: string;
      company: { id: string } | null;
    }>;
    expect(s.map((x) => x.firstName).sort()).toEqual(['Joe', 'Kim']);
    expect(s.find((x) => x.firstName === 'Kim')!.company!.id).toBe(co.id);
    expect(
      (await c.get('/api/v1/contacts?search=555%200199'))
        .json()
        .items.map((x: { firstName: string }) => x.firstName),
    ).toEqual(['Lee']);
    expect((await c.get('/api/v1/contacts?search=100%25')).statusCode).toBe(200); // LIKE wildcards are escaped
    // Renaming the company keeps search in step.
    await c.patch(`/api/v1/companies/${co.id}`, { name: 'Brandnew Corp' });
    expect(
      (await c.get('/api/v1/contacts?search=brandnew'))
        .json()
        .items.map((x: { firstName: string }) => x.firstName),
    ).toEqual(['Kim']);
  });

  it('searches by word prefix, ignoring accents and case; mid-word fragments no longer match', async () => {
    const co = (await c.post('/api/v1/companies', { name: 'Café Zürich' })).json();
    const made = await c.post('/api/v1/contacts', {
      firstName: 'Ångström',
      lastName: "O'Brien-Smith",
      email: 'anders.x+news@mail.nordic.test',
      companyId: co.id,
      phones: ['+44 20 7946 0958'],
    });
    expect(made.statusCode, made.body).toBe(201);
    await c.post('/api/v1/contacts', { firstName: 'Other', email: 'other@else.test' });
    const names = async (search: string) =>
      (await c.get(`/api/v1/contacts?search=${encodeURIComponent(search)}`))
        .json()
        .items.map((x: { firstName: string }) => x.firstName);
    // Accents, case, word order, prefixes of names and of the email's parts.
    for (const q of [
      'angstrom',
      'ÅNGSTRÖM',
      'angs brie',
      'brien',
      'smi',
      'nordic',
      'anders.x@mail',
      'zurich caf',
    ])
      expect(await names(q), q).toEqual(['Ångström']);
    // Phones: as written, all digits, the last 10, 7 or 4 digits.
    for (const q of ['7946 0958', '442079460958', '2079460958', '9460958', '0958'])
      expect(await names(q), q).toEqual(['Ångström']);
    // Every word must match; mid-word fragments do not (this was substring search before 0009).
    expect(await names('angstrom other')).toEqual([]);
    expect(await names('ngstr')).toEqual([]);
    expect(await names('mith')).toEqual([]);
    // tsquery syntax in the input is only a word separator; a string without words matches nothing.
    expect(await names("ang:* & !'|(")).toEqual(['Ångström']);
    expect(await names('%%% & |')).toEqual([]);
  });

  it('gives new contacts time-ordered (UUIDv7) ids', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await c.post('/api/v1/contacts', { firstName: `V${i}` })).json().id);
      await new Promise((r) => setTimeout(r, 2)); // ordered across milliseconds, random within one
    }
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-/);
    expect([...ids].sort()).toEqual(ids);
    // The id's first 48 bits are the creation time in Unix milliseconds.
    const ms = Number.parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });

  it('caps the count of a page at 10,000 unless asked for the exact count', async () => {
    await server.runtime.database.query(
      `insert into contacts (org_id, first_name, email)
        select $1, 'Bulk', 'bulk' || g || '@cap.test' from generate_series(1, 10050) g`,
      [org.orgId],
    );
    const capped = (await c.post('/api/v1/contacts/search', { limit: 1, includeCount: true })).json();
    expect([capped.count, capped.countCapped]).toEqual([10_000, true]);
    const exact = (
      await c.post('/api/v1/contacts/search', { limit: 1, includeCount: true, exactCount: true })
    ).json();
    expect([exact.count, exact.countCapped]).toEqual([10_050, false]);
    const few = (await c.post('/api/v1/contacts/search', { search: 'bulk1000', includeCount: true })).json(); // bulk1000, bulk10000 … bulk10009
    expect([few.count, few.countCapped]).toEqual([11, false]);
  });

  it('pages through every contact exactly once with keyset cursors, in any sort', async () => {
    await addNumberedPeople();
    await c.post('/api/v1/contacts', { firstName: 'Nameless score', email: 'ns@x.test' });
    await c.post('/api/v1/contacts', { lastName: 'Only', phones: ['+1 555 0100'] });
    const all = await count();
    expect(all).toBe(14);
    for (const sort of ['-createdAt', 'lastName', '-email', 'custom.score', '-companyName']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/contacts?limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await c.get(url)).json() as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(all);
      expect(seen.length, sort).toBe(all);
    }
    expect((await c.get('/api/v1/contacts?cursor=garbage')).statusCode).toBe(400);
    const first = (await c.get('/api/v1/contacts?limit=2&sort=lastName')).json();
    const mismatch = await c.get(`/api/v1/contacts?sort=email&cursor=${first.nextCursor}`);
    expect(mismatch.statusCode).toBe(400);
    expect((await c.get('/api/v1/contacts?sort=password')).statusCode).toBe(400);
  });

  it('saves segments with a live count and lists their contacts', async () => {
    await addNumberedPeople();
    const seg = await c.post('/api/v1/segments', {
      name: 'Odd high',
      filter: {
        and: [
          { field: 'tags', op: 'has_all', value: ['odd'] },
          { field: 'custom.score', op: 'gte', value: 9 },
        ],
      },
    });
    expect(seg.statusCode, seg.body).toBe(201);
    expect((await c.get(`/api/v1/segments/${seg.json().id}/count`)).json()).toEqual({ count: 2 });
    const page = (await c.post('/api/v1/contacts/search', { segmentId: seg.json().id })).json();
    expect(page.items).toHaveLength(2);
    expect(
      (await c.post('/api/v1/segments', { name: 'Broken', filter: { field: 'nope', op: 'eq', value: 1 } }))
        .statusCode,
    ).toBe(400);
    expect((await c.post('/api/v1/segments', { name: 'odd HIGH', filter: { and: [] } })).statusCode).toBe(
      409,
    );
  });

  it('runs bulk actions on ids (reporting foreign ids) and on a filter', async () => {
    await addNumberedPeople();
    const ids = (
      await c.post('/api/v1/contacts/search', { filter: { field: 'tags', op: 'has_any', value: ['even'] } })
    )
      .json()
      .items.map((x: { id: string }) => x.id);
    const foreign = '00000000-0000-4000-8000-000000000000';
    const res = await c.post('/api/v1/contacts/bulk', {
      selection: { ids: [...ids, foreign] },
      action: { type: 'add_tags', tags: ['bulk-tagged'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().affected).toBe(ids.length);
    expect(res.json().results.find((r: { id: string }) => r.id === foreign).status).toBe('not_found');
    const tagged = (
      await c.post('/api/v1/contacts/search', {
        filter: { field: 'tags', op: 'has_any', value: ['bulk-tagged'] },
        includeCount: true,
      })
    ).json();
    expect(tagged.count).toBe(ids.length);
    const tl = (await c.get(`/api/v1/contacts/${ids[0]}/timeline`)).json().items;
    expect(tl[0]).toMatchObject({ type: 'tag.added', data: { tags: ['bulk-tagged'], bulk: true } });

    const setField = await c.post('/api/v1/contacts/bulk', {
      selection: { filter: { field: 'tags', op: 'has_any', value: ['bulk-tagged'] } },
      action: { type: 'set_field', field: 'custom.plan', value: 'free' },
    });
    expect(setField.json().affected).toBe(ids.length);
    const bad = await c.post('/api/v1/contacts/bulk', {
      selection: { filter: { field: 'tags', op: 'has_any', value: ['bulk-tagged'] } },
      action: { type: 'set_field', field: 'custom.score', value: 'abc' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('runs large bulk actions as a job with progress', async () => {
    await server.runtime.database.query(
      `insert into contacts (org_id, first_name, email, tag_ids) select $1, 'Bulk', 'bulk' || g || '@bulk.test', '{}' from generate_series(1, 2600) g`,
      [org.orgId],
    );
    const res = await c.post('/api/v1/contacts/bulk', {
      selection: { filter: { field: 'email', op: 'contains', value: '@bulk.test' } },
      action: { type: 'add_tags', tags: ['big'] },
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().operationId;
    const op = await waitFor(
      async () => {
        const o = (await c.get(`/api/v1/bulk-operations/${id}`)).json();
        return o.status === 'done' || o.status === 'failed' ? o : undefined;
      },
      { what: `bulk operation ${id} to finish` },
    );
    expect(op).toMatchObject({ status: 'done', total: 2600, done: 2600 });
    const big = (
      await c.post('/api/v1/contacts/search', {
        filter: { field: 'tags', op: 'has_any', value: ['big'] },
        includeCount: true,
      })
    ).json();
    expect(big.count).toBe(2600);
    const del = await c.post('/api/v1/contacts/bulk', {
      selection: { filter: { field: 'tags', op: 'has_any', value: ['big'] } },
      action: { type: 'delete' },
    });
    expect(del.statusCode).toBe(202);
    await waitFor(
      async () =>
        (await c.get(`/api/v1/bulk-operations/${del.json().operationId}`)).json().status === 'done'
          ? true
          : undefined,
      { what: 'the bulk delete to finish' },
    );
    expect(
      (
        await c.post('/api/v1/contacts/search', {
          filter: { field: 'tags', op: 'has_any', value: ['big'] },
          includeCount: true,
        })
      ).json().count,
    ).toBe(0);
  });

  it('merges two contacts: chosen values, combined tags, emails and timeline', async () => {
    const a = (
      await c.post('/api/v1/contacts', { firstName: 'Alan', email: 'alan@merge.test', tags: ['x'] })
    ).json();
    const b = (
      await c.post('/api/v1/contacts', {
        firstName: 'Alan M.',
        lastName: 'Turing',
        email: 'turing@merge.test',
        jobTitle: 'Mathematician',
        tags: ['y'],
      })
    ).json();
    await c.post(`/api/v1/contacts/${b.id}/notes`, { body: 'note on b' });
    const res = await c.post(`/api/v1/contacts/${a.id}/merge`, {
      otherId: b.id,
      prefer: { lastName: 'other' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      firstName: 'Alan',
      lastName: 'Turing',
      jobTitle: 'Mathematician',
      email: 'alan@merge.test',
      emails: ['turing@merge.test'],
      tags: ['x', 'y'],
    });
    expect((await c.get(`/api/v1/contacts/${b.id}`)).statusCode).toBe(404);
    const types = (await c.get(`/api/v1/contacts/${a.id}/timeline`))
      .json()
      .items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['contact.merged', 'note.added', 'contact.created']));
    expect((await c.get(`/api/v1/contacts/${a.id}/notes`)).json().items).toHaveLength(1);
  });

  it('keeps values when a field is renamed; deleting one needs confirmation and removes its values', async () => {
    for (const plan of ['free', 'pro', 'free']) {
      await c.post('/api/v1/contacts', { firstName: `On ${plan}`, customFields: { plan } });
    }
    const fields = (await c.get('/api/v1/fields?entity=contact')).json().items as Array<{
      id: string;
      key: string;
    }>;
    const plan = fields.find((f) => f.key === 'plan')!;
    expect((await c.patch(`/api/v1/fields/${plan.id}`, { label: 'Subscription plan' })).json().label).toBe(
      'Subscription plan',
    );
    const withPlan = (
      await c.post('/api/v1/contacts/search', {
        filter: { field: 'custom.plan', op: 'is_not_empty' },
        includeCount: true,
      })
    ).json();
    expect(withPlan.count).toBeGreaterThan(0);
    const ask = await c.delete(`/api/v1/fields/${plan.id}`);
    expect(ask.statusCode).toBe(400);
    expect(ask.json().error).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      details: { valuesCount: withPlan.count },
    });
    expect((await c.delete(`/api/v1/fields/${plan.id}?confirm=true`)).statusCode).toBe(204);
    const { rows } = await server.runtime.database.query<{ n: number }>(
      `select count(*)::int as n from contacts where org_id = $1 and custom ? 'plan'`,
      [org.orgId],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('renames and merges tags', async () => {
    await addNumberedPeople();
    const tags = (await c.get('/api/v1/tags')).json().items as Array<{
      id: string;
      name: string;
      contactCount: number;
    }>;
    const odd = tags.find((t) => t.name === 'odd')!;
    const even = tags.find((t) => t.name === 'even')!;
    expect((await c.patch(`/api/v1/tags/${odd.id}`, { name: 'Odd', color: '#10b981' })).json()).toMatchObject(
      { name: 'Odd', color: '#10b981' },
    );
    expect((await c.patch(`/api/v1/tags/${odd.id}`, { name: 'EVEN' })).statusCode).toBe(409);
    const merged = await c.post(`/api/v1/tags/${odd.id}/merge`, { intoId: even.id });
    expect(merged.json().contactCount).toBe(odd.contactCount + even.contactCount);
    expect(
      (await c.get('/api/v1/tags')).json().items.find((t: { id: string }) => t.id === odd.id),
    ).toBeUndefined();
  });

  it('lets viewers read everything and change nothing', async () => {
    await c.post('/api/v1/contacts', { firstName: 'Untouchable', email: 'untouchable@x.test' });
    const v = client(server, org.viewer!);
    expect((await v.get('/api/v1/contacts')).statusCode).toBe(200);
    const target = (await c.get('/api/v1/contacts?limit=1')).json().items[0];
    for (const res of [
      await v.post('/api/v1/contacts', { firstName: 'Nope' }),
      await v.patch(`/api/v1/contacts/${target.id}`, { firstName: 'Nope' }),
      await v.delete(`/api/v1/contacts/${target.id}`),
      await v.post('/api/v1/contacts/bulk', { selection: { ids: [target.id] }, action: { type: 'delete' } }),
      await v.post('/api/v1/tags', { name: 'nope' }),
      await v.post('/api/v1/fields', { entity: 'contact', label: 'Nope', type: 'text' }),
      await v.post('/api/v1/segments', { name: 'nope', filter: { and: [] } }),
      await v.post(`/api/v1/contacts/${target.id}/notes`, { body: 'nope' }),
      await v.post('/api/v1/companies', { name: 'Nope' }),
      await v.post('/api/v1/api-keys', { name: 'nope', scope: 'read' }),
    ]) {
      expect(res.statusCode, res.body).toBe(403);
    }
    expect((await c.get(`/api/v1/contacts/${target.id}`)).json().firstName).toBe(target.firstName);
  });
});
