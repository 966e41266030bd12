import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { csvCell } from './csv-safe.js';
import { STANDARD_COLUMNS } from './exports.service.js';

function unzip(buf: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files: Record<string, string> = {};
      zip.readEntry();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files[entry.fileName] = Buffer.concat(chunks).toString('utf8');
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
    });
  });
}

describe.skipIf(databaseMissing)('exports', () => {
  let server: TestServer;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await createTestServer();
  });
  // Each test gets its own organisation (and data): no test sees what another one made.
  beforeEach(async () => {
    org = await createOrg(server, ['admin', 'viewer']);
    c = client(server, org.owner);
    await c.post('/api/v1/fields', { entity: 'contact', label: 'Score', key: 'score', type: 'number' });
    const hostile = ['=cmd|"/c calc"!A1', '+SUM(1,2)', '-2+3', '@SUM(A1)', '\tTabbed', '\rReturn'];
    for (const [i, v] of hostile.entries()) {
      await c.post('/api/v1/contacts', {
        firstName: v,
        lastName: 'Hostile',
        email: `h${i}@x.test`,
        tags: ['export'],
        customFields: { score: i },
      });
    }
    // The API trims names, but imported or legacy data can still start with a tab or a carriage return.
    await server.runtime.database.query(
      `update contacts set first_name = E'\\t' || first_name where email = 'h4@x.test'`,
    );
    await server.runtime.database.query(
      `update contacts set first_name = E'\\r' || first_name where email = 'h5@x.test'`,
    );
    await c.post('/api/v1/contacts', {
      firstName: 'Zoë',
      lastName: '李',
      email: 'zoe@x.test',
      jobTitle: 'Says "hi", then\nleaves',
      tags: ['export'],
    });
    await c.post('/api/v1/contacts', { firstName: 'Not', lastName: 'Exported', email: 'nope@x.test' });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function finished(id: string, cl = c) {
    return waitFor(
      async () => {
        const e = (await cl.get(`/api/v1/exports/${id}`)).json();
        return e.status === 'done' || e.status === 'failed' ? e : undefined;
      },
      { what: `export ${id} to finish` },
    );
  }

  it('exports a filtered view to CSV with formulas neutralised and unicode intact', async () => {
    const res = await c.post('/api/v1/exports', {
      kind: 'contacts_csv',
      filter: { field: 'tags', op: 'has_any', value: ['export'] },
      columns: ['firstName', 'lastName', 'email', 'jobTitle', 'tags', 'custom.score'],
      bom: true,
    });
    expect(res.statusCode, res.body).toBe(202);
    const done = await finished(res.json().id);
    expect(done).toMatchObject({
      status: 'done',
      rows: 7,
      downloadUrl: `/api/v1/exports/${res.json().id}/download`,
    });
    const dl = await c.get(done.downloadUrl);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toContain('text/csv');
    expect(dl.headers['content-disposition']).toMatch(/attachment; filename="contacts-/);
    expect(dl.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const records = parse(dl.body.replace(/^\uFEFF/, ''), { relax_quotes: true }) as string[][];
    expect(records[0]).toEqual(['First name', 'Last name', 'Email', 'Job title', 'Tags', 'Score']);
    const first = records.slice(1).map((r) => r[0]);
    for (const v of first) expect(v, v).not.toMatch(/^[=+\-@\t\r]/);
    expect(first).toEqual(
      expect.arrayContaining([
        '\'=cmd|"/c calc"!A1',
        "'+SUM(1,2)",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTabbed",
        "'\rReturn",
        'Zoë',
      ]),
    );
    const zoe = records.find((r) => r[0] === 'Zoë')!;
    expect(zoe[1]).toBe('李');
    expect(zoe[3]).toBe('Says "hi", then\nleaves');
    expect(records.flat()).not.toContain('nope@x.test');
  });

  it('expires download links and keeps them inside the organisation', async () => {
    const { id } = (await c.post('/api/v1/exports', { kind: 'contacts_csv', columns: ['email'] })).json();
    await finished(id);
    const other = await createOrg(server);
    const o = client(server, other.owner);
    expect((await o.get(`/api/v1/exports/${id}`)).statusCode).toBe(404);
    expect((await o.get(`/api/v1/exports/${id}/download`)).statusCode).toBe(404);
    expect((await client(server).get(`/api/v1/exports/${id}/download`)).statusCode).toBe(401);
    expect((await client(server, org.viewer!).get(`/api/v1/exports/${id}/download`)).statusCode).toBe(200);
    await server.runtime.database.query(
      `update exports set expires_at = now() - interval '1 minute' where id = $1`,
      [id],
    );
    const gone = await c.get(`/api/v1/exports/${id}/download`);
    expect(gone.statusCode).toBe(410);
    expect((await c.get(`/api/v1/exports/${id}`)).json().status).toBe('expired');
  });

  it("exports in the list's sort, across pages, every contact once", async () => {
    const other = await createOrg(server);
    const o = client(server, other.owner);
    await o.post('/api/v1/fields', { entity: 'contact', label: 'Score', key: 'score', type: 'number' });
    // More than one export page (5,000), with ties on the score so the id tiebreak matters.
    await server.runtime.database.query(
      `insert into contacts (org_id, first_name, last_name, email, custom)
       select $1, 'P' || g, 'L' || lpad(((g * 7919) % 5103)::text, 5, '0'), 'p' || g || '@sort.test',
         jsonb_build_object('score', (g * 31) % 97)
       from generate_series(1, 5103) g`,
      [other.orgId],
    );
    const run = async (sort: string) => {
      const res = await o.post('/api/v1/exports', {
        kind: 'contacts_csv',
        sort,
        columns: ['email', 'lastName', 'custom.score'],
      });
      expect(res.statusCode, res.body).toBe(202);
      const done = await finished(res.json().id, o);
      expect(done.rows).toBe(5103);
      return (parse((await o.get(done.downloadUrl)).body) as string[][]).slice(1);
    };
    const byScore = await run('-custom.score');
    expect(new Set(byScore.map((r) => r[0])).size).toBe(5103);
    const scores = byScore.map((r) => Number(r[2]));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const byName = (await run('lastName')).map((r) => r[1]!);
    expect(byName).toEqual([...byName].sort());
    expect((await o.post('/api/v1/exports', { kind: 'contacts_csv', sort: 'password' })).statusCode).toBe(
      400,
    );
  });

  it('writes every column exactly as the contact API shows it', async () => {
    const other = await createOrg(server);
    const o = client(server, other.owner);
    await o.post('/api/v1/fields', {
      entity: 'contact',
      label: 'Topics',
      key: 'topics',
      type: 'multi_select',
      options: ['Alpha', 'Beta'],
    });
    await o.post('/api/v1/fields', { entity: 'contact', label: 'Renewal', key: 'renewal', type: 'date' });
    await o.post('/api/v1/fields', { entity: 'contact', label: 'Vip', key: 'vip', type: 'boolean' });
    const company = (await o.post('/api/v1/companies', { name: 'Alla AB', domain: 'alla.test' })).json();
    const created = await o.post('/api/v1/contacts', {
      firstName: 'Åsa',
      lastName: '=Risky',
      email: 'asa@all.test',
      emails: ['second@all.test', 'third@all.test'],
      phones: ['+46 70 123', '+46 8 456'],
      jobTitle: 'Chief, "Everything"',
      companyId: company.id,
      address: { street: 'Gatan 1', city: 'Malmö', region: 'Skåne', postalCode: '211 20', country: 'SE' },
      ownerId: other.owner.userId,
      restricted: true,
      source: 'fair',
      tags: ['zeta', 'Älg', 'alpha'],
      customFields: { topics: ['Beta', 'Alpha'], renewal: '2027-01-31', vip: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    const dto = (await o.get(`/api/v1/contacts/${created.json().id}`)).json();
    const columns = [...Object.keys(STANDARD_COLUMNS), 'custom.topics', 'custom.renewal', 'custom.vip'];
    const res = await o.post('/api/v1/exports', { kind: 'contacts_csv', columns });
    const done = await finished(res.json().id, o);
    const line = (await o.get(done.downloadUrl)).body.split('\r\n')[1]!;
    const expected = columns
      .map((col) =>
        csvCell(
          col.startsWith('custom.') ? dto.customFields[col.slice(7)] : STANDARD_COLUMNS[col]!.value(dto),
        ),
      )
      .join(',');
    expect(line).toBe(expected);
    expect(line).toContain("'=Risky");
  });

  it('refuses unknown columns and invalid filters up front', async () => {
    expect(
      (await c.post('/api/v1/exports', { kind: 'contacts_csv', columns: ['password'] })).statusCode,
    ).toBe(400);
    expect(
      (await c.post('/api/v1/exports', { kind: 'contacts_csv', filter: { field: 'x', op: 'eq', value: 1 } }))
        .statusCode,
    ).toBe(400);
  });

  it('exports the whole organisation as a documented zip, for owners only', async () => {
    const contact = (await c.get('/api/v1/contacts?search=zoe@x.test')).json().items[0];
    await c.post(`/api/v1/contacts/${contact.id}/notes`, { body: 'portable note' });
    expect(
      (await client(server, org.admin!).post('/api/v1/exports', { kind: 'organization_zip' })).statusCode,
    ).toBe(403);
    const res = await c.post('/api/v1/exports', { kind: 'organization_zip' });
    expect(res.statusCode).toBe(202);
    const done = await finished(res.json().id);
    expect(done.status).toBe('done');
    const dl = await c.get(done.downloadUrl);
    expect(dl.headers['content-type']).toBe('application/zip');
    const files = await unzip(dl.rawPayload);
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'companies.jsonl',
      'contacts.csv',
      'contacts.jsonl',
      'custom_fields.jsonl',
      'imports.jsonl',
      'members.jsonl',
      'notes.jsonl',
      'organization.json',
      'segments.jsonl',
      'tags.jsonl',
      'timeline_events.jsonl',
    ]);
    const contacts = files['contacts.jsonl']!.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(contacts).toHaveLength(8);
    expect(contacts.find((x: { email: string }) => x.email === 'zoe@x.test').lastName).toBe('李');
    expect(files['notes.jsonl']).toContain('portable note');
    expect(files['members.jsonl']).not.toMatch(/password|argon2/);
    expect(files['timeline_events.jsonl']!.trim().split('\n').length).toBeGreaterThanOrEqual(8);
    expect(files['README.md']).toContain('contacts.jsonl');
  });

  it("exports one contact's complete data as JSON (access request)", async () => {
    const contact = (await c.get('/api/v1/contacts?search=zoe@x.test')).json().items[0];
    await c.post(`/api/v1/contacts/${contact.id}/notes`, { body: 'portable note' });
    const res = await c.get(`/api/v1/contacts/${contact.id}/export`);
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.contact).toMatchObject({ id: contact.id, email: 'zoe@x.test', tags: ['export'] });
    expect(doc.notes.map((n: { body: string }) => n.body)).toContain('portable note');
    expect(doc.timeline.map((e: { type: string }) => e.type)).toContain('contact.created');
    const other = await createOrg(server);
    expect((await client(server, other.owner).get(`/api/v1/contacts/${contact.id}/export`)).statusCode).toBe(
      404,
    );
  });
});
