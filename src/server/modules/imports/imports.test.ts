import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, createOrg, type Session } from '../../../../test/helpers/factories.js';
import { multipartFile } from '../../../../test/helpers/multipart.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { waitFor } from '../../../../test/helpers/wait.js';

describe.skipIf(databaseMissing)('CSV imports', () => {
  let server: TestServer;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await createTestServer({ importMaxBytes: 200_000 });
  });
  // Each test gets its own organisation (and data): no test sees what another one made.
  beforeEach(async () => {
    org = await createOrg(server);
    c = client(server, org.owner);
    await c.post('/api/v1/fields', { entity: 'contact', label: 'Score', key: 'score', type: 'number' });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function upload(session: Session, name: string, content: Buffer | string) {
    const { payload, headers } = multipartFile(name, content);
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      payload,
      headers: { ...headers, cookie: session.cookie, origin: server.origin },
    });
  }

  async function waitDone(id: string) {
    return waitFor(
      async () => {
        const imp = (await c.get(`/api/v1/imports/${id}`)).json();
        return ['done', 'failed', 'cancelled'].includes(imp.status) ? imp : undefined;
      },
      { what: `import ${id} to finish` },
    );
  }

  const csv = [
    'E-mail Address;Vorname;Nachname;Firma;Score;Tags;Notes',
    'ann@example.com;Ann;Arbor;Acme;10;vip, newsletter;first',
    'bob@example.com;Bob;Builder;Acme;abc;;bad score',
    'not-an-email;Cy;Clone;;3;;bad email',
    'ragged;row',
    'ANN@example.com ;Annie;;Acme Corp;12;events;duplicate of row 2 later in file',
    'dee@example.com;Dee;Dee;;;;',
    ';;;;;;no identity',
  ].join('\r\n');

  it('detects the format, previews and suggests a mapping', async () => {
    const res = await upload(
      org.owner,
      'people.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]),
    );
    expect(res.statusCode, res.body).toBe(201);
    const imp = res.json();
    expect(imp).toMatchObject({
      status: 'uploaded',
      format: { encoding: 'utf-8', bom: true, delimiter: ';', lineEnding: 'crlf' },
      headers: ['E-mail Address', 'Vorname', 'Nachname', 'Firma', 'Score', 'Tags', 'Notes'],
      totalRows: 7,
      raggedRows: [5],
    });
    expect(imp.preview[0]).toEqual([
      'ann@example.com',
      'Ann',
      'Arbor',
      'Acme',
      '10',
      'vip, newsletter',
      'first',
    ]);
    expect(imp.suggestedMapping).toEqual([
      { type: 'standard', field: 'email' },
      { type: 'standard', field: 'firstName' },
      { type: 'standard', field: 'lastName' },
      { type: 'standard', field: 'companyName' },
      { type: 'custom', key: 'score' },
      { type: 'standard', field: 'tags' },
      { type: 'ignore' },
    ]);
  });

  it('dry-runs without writing, then imports with create-and-update, reporting every rejected row', async () => {
    const existing = (
      await c.post('/api/v1/contacts', { email: 'dee@example.com', firstName: 'Old', jobTitle: 'Keeps' })
    ).json();
    const imp = (await upload(org.owner, 'people.csv', csv)).json();
    const mapping = imp.suggestedMapping;
    const before = (await c.post('/api/v1/contacts/search', { includeCount: true })).json().count;
    const dry = await c.post(`/api/v1/imports/${imp.id}/start`, {
      mapping,
      duplicatePolicy: 'create_update',
      dryRun: true,
    });
    expect(dry.statusCode, dry.body).toBe(200);
    const dryDone = await waitDone(imp.id);
    expect(dryDone.counts).toEqual({ created: 1, updated: 1, unchanged: 0, skipped: 1, failed: 4 });
    expect((await c.post('/api/v1/contacts/search', { includeCount: true })).json().count).toBe(before);

    await c.post(`/api/v1/imports/${imp.id}/start`, {
      mapping,
      duplicatePolicy: 'create_update',
      dryRun: false,
      extraTags: ['imported'],
    });
    const done = await waitDone(imp.id);
    expect(done.status).toBe('done');
    expect(done.counts).toEqual({ created: 1, updated: 1, unchanged: 0, skipped: 1, failed: 4 });
    expect(done.progress).toMatchObject({ rowsDone: 7, totalRows: 7, percent: 100 });

    const ann = (await c.get('/api/v1/contacts?search=ann@example.com')).json().items[0];
    // Row 6 (the later duplicate) wins where it has values; tags combined.
    expect(ann).toMatchObject({
      firstName: 'Annie',
      lastName: 'Arbor',
      company: { name: 'Acme Corp' },
      customFields: { score: 12 },
    });
    expect(ann.tags).toEqual(['events', 'imported', 'newsletter', 'vip']);
    const dee = (await c.get(`/api/v1/contacts/${existing.id}`)).json();
    expect(dee).toMatchObject({ firstName: 'Dee', lastName: 'Dee', jobTitle: 'Keeps', tags: ['imported'] });
    const tl = (await c.get(`/api/v1/contacts/${ann.id}/timeline`)).json().items;
    expect(tl.find((e: { type: string }) => e.type === 'contact.created').data).toMatchObject({
      importId: imp.id,
      fileName: 'people.csv',
    });
    expect(tl.filter((e: { type: string }) => e.type === 'contact.created')).toHaveLength(1);

    const report = await c.get(`/api/v1/imports/${imp.id}/errors.csv`);
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toContain('text/csv');
    const lines = report.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('row,column,value,reason');
    expect(lines.slice(1).sort()).toEqual(
      [
        '2,email,ann@example.com,Same email as row 6: merged into it (row 6 wins where both have a value)',
        '3,Score,abc,"Score (score) must be a number (got ""abc"")"',
        '4,E-mail Address,not-an-email,Not a valid email address',
        '5,,"ragged, row",The row has 2 fields; the header has 7',
        '8,,,"The row has no email, phone or name"',
      ].sort(),
    );
  });

  it('honours create-only and update-only', async () => {
    await c.post('/api/v1/contacts', { email: 'kept@example.com', firstName: 'Kept' });
    const file = 'email,first name\nkept@example.com,Changed\nnew1@example.com,New\n';
    const a = (await upload(org.owner, 'a.csv', file)).json();
    await c.post(`/api/v1/imports/${a.id}/start`, {
      mapping: a.suggestedMapping,
      duplicatePolicy: 'create_only',
    });
    expect((await waitDone(a.id)).counts).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 1,
      failed: 0,
    });
    expect((await c.get('/api/v1/contacts?search=kept@example.com')).json().items[0].firstName).toBe('Kept');

    const b = (
      await upload(org.owner, 'b.csv', 'email,first name\nkept@example.com,Changed\nnew2@example.com,New\n')
    ).json();
    await c.post(`/api/v1/imports/${b.id}/start`, {
      mapping: b.suggestedMapping,
      duplicatePolicy: 'update_only',
    });
    expect((await waitDone(b.id)).counts).toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
      skipped: 1,
      failed: 0,
    });
    expect((await c.get('/api/v1/contacts?search=kept@example.com')).json().items[0].firstName).toBe(
      'Changed',
    );
    expect((await c.get('/api/v1/contacts?search=new2@example.com')).json().items).toHaveLength(0);
  });

  it('writes nothing for rows that change nothing, never resubscribes, keeps the source', async () => {
    const quiet = (
      await c.post('/api/v1/contacts', {
        email: 'quiet@example.com',
        firstName: 'Quiet',
        source: 'website',
        subscriptionStatus: 'unsubscribed',
      })
    ).json();
    const file =
      'email,first name,score,status\nquiet@example.com,Quiet,5,subscribed\nloud@example.com,Loud,7,\n';
    const run = async (policy: string, content = file) => {
      const imp = (await upload(org.owner, 'again.csv', content)).json();
      const mapping = imp.suggestedMapping;
      mapping[3] = { type: 'standard', field: 'subscriptionStatus' };
      const res = await c.post(`/api/v1/imports/${imp.id}/start`, { mapping, duplicatePolicy: policy });
      expect(res.statusCode, res.body).toBe(200);
      return (await waitDone(imp.id)).counts;
    };
    const timeline = async () => (await c.get(`/api/v1/contacts/${quiet.id}/timeline`)).json().items.length;

    expect(await run('create_update')).toEqual({
      created: 1,
      updated: 1,
      unchanged: 0,
      skipped: 0,
      failed: 0,
    });
    const afterFirst = (await c.get(`/api/v1/contacts/${quiet.id}`)).json();
    // The score was new (updated), but "subscribed" in the file does not undo an unsubscribe,
    // and the source stays where the contact came from.
    expect(afterFirst).toMatchObject({
      subscriptionStatus: 'unsubscribed',
      source: 'website',
      customFields: { score: 5 },
    });
    const events = await timeline();

    expect(await run('create_update')).toEqual({
      created: 0,
      updated: 0,
      unchanged: 2,
      skipped: 0,
      failed: 0,
    });
    expect(await run('update_only')).toEqual({ created: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0 });
    expect(await timeline()).toBe(events); // nothing happened, so nothing in the timeline
    expect((await c.get(`/api/v1/contacts/${quiet.id}`)).json().updatedAt).toBe(afterFirst.updatedAt);

    // A real change is still an update, on both paths; an unsubscribe in a file does apply.
    expect(
      await run(
        'update_only',
        'email,first name,score,status\nloud@example.com,Loud,8,unsubscribed\nquiet@example.com,Quiet,5,\n',
      ),
    ).toEqual({ created: 0, updated: 1, unchanged: 1, skipped: 0, failed: 0 });
    const loud = (await c.get('/api/v1/contacts?search=loud@example.com')).json().items[0];
    expect(loud).toMatchObject({
      subscriptionStatus: 'unsubscribed',
      customFields: { score: 8 },
      source: 'import',
    });
  });

  describe('marketing email for new contacts', () => {
    const people = async (emails: string[]) => {
      const out: Record<
        string,
        { status: string; basis: string | null; source: string | null; at: Date | null }
      > = {};
      const res = await server.runtime.database.query<{
        email: string;
        status: string;
        basis: string | null;
        source: string | null;
        at: Date | null;
      }>(
        `select email, subscription_status as status, consent_basis as basis, consent_source as source, consent_at as at
          from contacts where org_id = $1 and email = any($2::text[])`,
        [org.orgId, emails],
      );
      for (const r of res.rows)
        out[r.email] = { status: r.status, basis: r.basis, source: r.source, at: r.at };
      return out;
    };
    const start = async (name: string, content: string, body: Record<string, unknown>) => {
      const imp = (await upload(org.owner, name, content)).json();
      const res = await c.post(`/api/v1/imports/${imp.id}/start`, { mapping: imp.suggestedMapping, ...body });
      return { imp, res };
    };
    const run = async (name: string, content: string, body: Record<string, unknown>) => {
      const { imp, res } = await start(name, content, body);
      expect(res.statusCode, res.body).toBe(200);
      const done = await waitDone(imp.id);
      expect(done.status, JSON.stringify(done)).toBe('done');
      return done;
    };

    it('mode subscribed: new contacts get the basis and source; an existing unsubscribed contact stays unsubscribed', async () => {
      const gone = await c.post('/api/v1/contacts', {
        email: 'gone@example.com',
        firstName: 'Gone',
        subscriptionStatus: 'unsubscribed',
      });
      expect(gone.statusCode).toBe(201);
      const kept = await c.post('/api/v1/contacts', { email: 'kept@example.com', firstName: 'Kept' });
      expect(kept.statusCode).toBe(201);
      const t0 = Date.now();
      const marketing = { mode: 'subscribed', basis: 'consent', source: 'Webinar sign-up form 2026' };
      const done = await run(
        'webinar.csv',
        'email,first name\nnew1@example.com,New\ngone@example.com,Gone Again\nkept@example.com,Kept\n',
        { marketing },
      );
      expect(done.marketing).toEqual(marketing);
      expect(done.counts).toMatchObject({ created: 1, updated: 1, failed: 0 });
      const got = await people(['new1@example.com', 'gone@example.com', 'kept@example.com']);
      expect(got['new1@example.com']).toMatchObject({
        status: 'subscribed',
        basis: 'consent',
        source: 'Webinar sign-up form 2026',
      });
      expect(got['new1@example.com']!.at!.getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      // Existing contacts keep their status: never re-subscribed, never subscribed by an import.
      expect(got['gone@example.com']).toMatchObject({ status: 'unsubscribed', basis: null, at: null });
      expect(got['kept@example.com']).toMatchObject({ status: 'not_subscribed', basis: null, at: null });
      const api = (await c.get('/api/v1/contacts?search=new1@example.com')).json().items[0];
      expect(api.consent).toMatchObject({ basis: 'consent', source: 'Webinar sign-up form 2026' });
    });

    it('mode not_subscribed (and imports without the option) subscribe nobody', async () => {
      const done = await run('list.csv', 'email,first name\nns1@example.com,A\n', {
        marketing: { mode: 'not_subscribed' },
      });
      expect(done.marketing).toEqual({ mode: 'not_subscribed' });
      const legacy = await run('legacy.csv', 'email,first name\nns2@example.com,B\n', {});
      expect(legacy.marketing).toEqual({ mode: 'not_subscribed' });
      // A job queued before the option existed (no marketing in its options) behaves the same.
      const { imp } = await start('old.csv', 'email,first name\nns3@example.com,C\n', { dryRun: true });
      await waitDone(imp.id);
      await server.runtime.database.query(
        `update imports set options = options - 'marketing' where id = $1`,
        [imp.id],
      );
      expect((await c.get(`/api/v1/imports/${imp.id}`)).json().marketing).toEqual({ mode: 'not_subscribed' });
      await run('old2.csv', 'email,first name,subscribed\nns4@example.com,D,yes\n', {});
      const got = await people(['ns1@example.com', 'ns2@example.com', 'ns4@example.com']);
      expect(Object.values(got).map((p) => p.status)).toEqual([
        'not_subscribed',
        'not_subscribed',
        'not_subscribed',
      ]);
      expect(Object.values(got).every((p) => p.basis === null && p.at === null)).toBe(true);
    });

    it('mode column: yes-like values subscribe new contacts with the basis column or "consent"; existing contacts keep theirs, opt-outs apply', async () => {
      const old = await c.post('/api/v1/contacts', { email: 'col-old@example.com', firstName: 'Old' });
      expect(old.statusCode).toBe(201);
      const optOut = await c.post('/api/v1/contacts', {
        email: 'col-out@example.com',
        firstName: 'Out',
        subscriptionStatus: 'subscribed',
        consent: { basis: 'consent', source: 'web form' },
      });
      expect(optOut.statusCode).toBe(201);
      const file = [
        'email,first name,subscribed,consent basis',
        'col1@example.com,A,yes,',
        'col2@example.com,B,Opted in,Legitimate interest',
        'col3@example.com,C,TRUE,contract',
        'col4@example.com,D,1,',
        'col5@example.com,E,no,consent',
        'col6@example.com,F,,',
        'col7@example.com,G,maybe,',
        'col8@example.com,H,unsubscribed,',
        'col-old@example.com,Old,yes,',
        'col-out@example.com,Out,unsubscribed,',
      ].join('\n');
      const upl = (await upload(org.owner, 'crm-export.csv', file)).json();
      expect(upl.suggestedMapping[2]).toEqual({ type: 'standard', field: 'subscriptionStatus' });
      expect(upl.suggestedMapping[3]).toEqual({ type: 'standard', field: 'consentBasis' });
      const res = await c.post(`/api/v1/imports/${upl.id}/start`, {
        mapping: upl.suggestedMapping,
        marketing: { mode: 'column' },
      });
      expect(res.statusCode, res.body).toBe(200);
      const done = await waitDone(upl.id);
      expect(done.counts).toMatchObject({ created: 8, failed: 0 });
      const got = await people([
        ...Array.from({ length: 8 }, (_, i) => `col${i + 1}@example.com`),
        'col-old@example.com',
        'col-out@example.com',
      ]);
      const source = 'Import crm-export.csv';
      expect(got['col1@example.com']).toMatchObject({ status: 'subscribed', basis: 'consent', source });
      expect(got['col2@example.com']).toMatchObject({
        status: 'subscribed',
        basis: 'legitimate_interest',
        source,
      });
      expect(got['col3@example.com']).toMatchObject({ status: 'subscribed', basis: 'contract', source });
      expect(got['col4@example.com']).toMatchObject({ status: 'subscribed', basis: 'consent', source });
      expect(got['col1@example.com']!.at).not.toBeNull();
      for (const e of ['col5@example.com', 'col6@example.com', 'col7@example.com'])
        expect(got[e], e).toMatchObject({ status: 'not_subscribed', basis: null, source: null, at: null });
      expect(got['col8@example.com']).toMatchObject({ status: 'unsubscribed', basis: null });
      expect(got['col-old@example.com']).toMatchObject({ status: 'not_subscribed', basis: null });
      expect(got['col-out@example.com']).toMatchObject({
        status: 'unsubscribed',
        basis: 'consent',
        source: 'web form',
      });
    });

    it('refuses a marketing choice that cannot work', async () => {
      const file = 'email,first name\nbad@example.com,A\n';
      const noColumn = await start('a.csv', file, { marketing: { mode: 'column' } });
      expect(noColumn.res.statusCode).toBe(400);
      expect(noColumn.res.json().error.message).toContain('marketing');
      const noBasis = await start('b.csv', file, { marketing: { mode: 'subscribed', source: 'x' } });
      expect(noBasis.res.statusCode).toBe(400);
      const noSource = await start('c.csv', file, {
        marketing: { mode: 'subscribed', basis: 'consent', source: ' ' },
      });
      expect(noSource.res.statusCode).toBe(400);
      const badBasis = await start('d.csv', file, {
        marketing: { mode: 'subscribed', basis: 'because', source: 'x' },
      });
      expect(badBasis.res.statusCode).toBe(400);
      expect((await c.get('/api/v1/contacts?search=bad@example.com')).json().items).toHaveLength(0);
    });
  });

  it('merges a duplicate email that sits in a later batch, and says which row won', async () => {
    const config = server.runtime.deps.config;
    const saved = config.importBatchRows;
    config.importBatchRows = 2; // rows 2-3, 4-5, 6: the duplicates land in different batches
    try {
      const file =
        'email,first name,last name\nfar@dup.test,First,\nb@dup.test,B,\nc@dup.test,C,\nFAR@dup.test,,Later\nd@dup.test,D,\n';
      const imp = (await upload(org.owner, 'dups.csv', file)).json();
      await c.post(`/api/v1/imports/${imp.id}/start`, { mapping: imp.suggestedMapping });
      expect((await waitDone(imp.id)).counts).toEqual({
        created: 4,
        updated: 0,
        unchanged: 0,
        skipped: 1,
        failed: 0,
      });
      const far = (await c.get('/api/v1/contacts?search=far@dup.test')).json().items;
      expect(far).toHaveLength(1);
      expect(far[0]).toMatchObject({ firstName: 'First', lastName: 'Later' });
      const report = (await c.get(`/api/v1/imports/${imp.id}/errors.csv`)).body;
      expect(report).toContain(
        '5,email,far@dup.test,Same email as row 2: merged into the contact that row created',
      );
    } finally {
      config.importBatchRows = saved;
    }
  });

  it('creates a custom field on the spot from the mapping', async () => {
    const imp = (await upload(org.owner, 'f.csv', 'email,Shoe size\nfeet@example.com,44\n')).json();
    const res = await c.post(`/api/v1/imports/${imp.id}/start`, {
      mapping: [
        { type: 'standard', field: 'email' },
        { type: 'new_field', label: 'Shoe size', fieldType: 'number' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    await waitDone(imp.id);
    expect((await c.get('/api/v1/contacts?search=feet@')).json().items[0].customFields).toEqual({
      shoe_size: 44,
    });
  });

  it('refuses bad files with a clear message and bad mappings before starting', async () => {
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['photo.csv', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]), /JPEG image/],
      ['empty.csv', '', /empty/],
      ['header.csv', 'email,name\r\n', /no data rows/],
      ['dups.csv', 'email,Email\na,b\n', /Duplicate column headers/],
      ['quote.csv', 'email,name\n"a@x.test,Ann\n', /never closed/],
    ];
    for (const [name, content, message] of cases) {
      const res = await upload(org.owner, name, content);
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error.message, name).toMatch(message);
    }
    const big = await upload(org.owner, 'big.csv', `email\n${'a@example.com\n'.repeat(20_000)}`);
    expect(big.statusCode).toBe(413);
    // The UI learns the limit from the history request, to refuse such a file before uploading it.
    expect((await c.get('/api/v1/imports')).json().maxUploadBytes).toBe(200_000);
    const imp = (await upload(org.owner, 'm.csv', 'email,name\na@x.test,A\n')).json();
    const bad = await c.post(`/api/v1/imports/${imp.id}/start`, {
      mapping: [{ type: 'standard', field: 'email' }],
    });
    expect(bad.statusCode).toBe(400);
    const twice = await c.post(`/api/v1/imports/${imp.id}/start`, {
      mapping: [
        { type: 'standard', field: 'email' },
        { type: 'standard', field: 'email' },
      ],
    });
    expect(twice.json().error.message).toMatch(/Already imported from column 1/);
    const { rows } = await server.runtime.database.query('select 1 from contacts where email = $1', [
      'a@x.test',
    ]);
    expect(rows).toHaveLength(0);
  });

  it('can be cancelled; another organisation cannot see or touch it', async () => {
    const imp = (await upload(org.owner, 'c.csv', 'email\nc1@example.com\n')).json();
    expect((await c.post(`/api/v1/imports/${imp.id}/cancel`)).json().status).toBe('cancelled');
    expect(
      (await c.post(`/api/v1/imports/${imp.id}/start`, { mapping: imp.suggestedMapping })).statusCode,
    ).toBe(409);
    const other = await createOrg(server);
    const o = client(server, other.owner);
    for (const res of [
      await o.get(`/api/v1/imports/${imp.id}`),
      await o.get(`/api/v1/imports/${imp.id}/errors.csv`),
      await o.post(`/api/v1/imports/${imp.id}/start`, { mapping: imp.suggestedMapping }),
      await o.post(`/api/v1/imports/${imp.id}/cancel`),
      await o.post(`/api/v1/imports/${imp.id}/format`, { delimiter: ';' }),
    ]) {
      expect(res.statusCode, res.body).toBe(404);
    }
    expect((await o.get('/api/v1/imports')).json().items).toHaveLength(0);
  });
});
