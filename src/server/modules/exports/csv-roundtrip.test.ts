import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, createOrg, type Session } from '../../../../test/helpers/factories.js';
import { multipartFile } from '../../../../test/helpers/multipart.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { guardFormula, needsFormulaGuard, unguardFormula } from '../../../common/csv-safe.js';
import { createRowMapper } from '../imports/import-rows.js';
import { csvCell } from './csv-safe.js';

/** Cells a spreadsheet could run as formulas, including the ones the first guard let through. */
const DANGEROUS = [
  '=1+1',
  '+33 6 12 34 56 78',
  '-2+3',
  '@SUM(A1)',
  '\tTabbed',
  '\rReturn',
  '\n=1+1', // leading line feed
  ' =1+1', // leading space before =
  '  +1',
  '\u00a0=1+1', // no-break space
  '\u3000=1+1', // ideographic space
  '＝1+1', // full-width =
  '＋33',
  '－5',
  '＠SUM(A1)',
  ' ＝1+1',
];
const HARMLESS = ['', 'plain', 'a=b', '1-2', 'x@y.z', "'quoted", "'", "don't", 'ok ', 'Zoë'];

describe('the formula guard (src/common/csv-safe.ts)', () => {
  it('prefixes every cell a spreadsheet could run, and nothing else', () => {
    for (const v of DANGEROUS) {
      expect(needsFormulaGuard(v), JSON.stringify(v)).toBe(true);
      expect(guardFormula(v), JSON.stringify(v)).toBe(`'${v}`);
    }
    for (const v of HARMLESS) {
      expect(guardFormula(v), JSON.stringify(v)).toBe(v);
    }
    // Already starting with an apostrophe in front of a formula: one more, so the importer can strip exactly one.
    expect(guardFormula("'=1+1")).toBe("''=1+1");
    expect(guardFormula("''+33")).toBe("'''+33");
  });

  it('quotes cells for CSV after guarding them', () => {
    expect(csvCell('\n=1+1')).toBe(`"'\n=1+1"`);
    expect(csvCell(' =1+1')).toBe(`' =1+1`);
    expect(csvCell('＝HYPERLINK("x")')).toBe(`"'＝HYPERLINK(""x"")"`);
    expect(csvCell(['+1 555', '+1 666'])).toBe(`'+1 555; +1 666`);
  });

  it('is undone exactly by the importer: unguard(guard(v)) === v for every value', () => {
    const pieces = [
      "'",
      '=',
      '+',
      '-',
      '@',
      '＝',
      '＋',
      '－',
      '＠',
      ' ',
      '\t',
      '\n',
      '\r',
      '\u3000',
      'a',
      '1',
      '',
    ];
    const values = new Set<string>([...DANGEROUS, ...HARMLESS]);
    for (const a of pieces) for (const b of pieces) for (const c of pieces) values.add(`${a}${b}${c}x`);
    for (const v of values) expect(unguardFormula(guardFormula(v)), JSON.stringify(v)).toBe(v);
    // A cell typed by hand with an apostrophe before harmless text keeps it.
    expect(unguardFormula("'plain")).toBe("'plain");
  });

  it('strips the guard in the importer row mapping', () => {
    const mapper = createRowMapper({
      headers: ['Phones', 'First name'],
      mapping: [
        { type: 'standard', field: 'phone' },
        { type: 'standard', field: 'firstName' },
      ],
      defs: [],
      extraTags: [],
    });
    const { staged } = mapper.map(2, ["'+33 6 12 34 56 78; +33 7 00 00 00 00", "'=Ann"]);
    expect(staged?.phones).toEqual(['+33 6 12 34 56 78', '+33 7 00 00 00 00']);
    expect(staged?.first_name).toBe('=Ann');
  });
});

describe.skipIf(databaseMissing)('CSV export → import round trip', () => {
  let server: TestServer;
  let source: Awaited<ReturnType<typeof createOrg>>;
  let target: Awaited<ReturnType<typeof createOrg>>;
  const FIELDS = [
    { label: 'Motto', key: 'motto', type: 'text' },
    { label: 'Score', key: 'score', type: 'number' },
  ];
  const PEOPLE = [
    {
      email: 'phone@x.test',
      firstName: '=SUM(A1)',
      lastName: '@home',
      phones: ['+33 6 12 34 56 78', '+33 7 11 22 33 44'],
      jobTitle: '-boss-',
      source: '+web',
      tags: ['+vip', '=calc'],
      customFields: { motto: "'=already quoted", score: -5 },
    },
    {
      email: 'fullwidth@x.test',
      firstName: '＝1+1',
      lastName: '＋plus',
      phones: ['+1 555 0100'],
      jobTitle: '＠mention',
      source: '－minus',
      tags: ['＝tag'],
      customFields: { motto: "'+33 written with an apostrophe", score: 7 },
    },
    {
      email: 'plain@x.test',
      firstName: 'Plain',
      lastName: "O'Brien",
      phones: [],
      jobTitle: 'a=b',
      source: 'import',
      tags: ['plain'],
      customFields: { motto: "'just an apostrophe", score: 0 },
    },
  ];
  const COLUMNS = [
    'email',
    'firstName',
    'lastName',
    'phones',
    'jobTitle',
    'source',
    'tags',
    'custom.motto',
    'custom.score',
  ];

  beforeAll(async () => {
    server = await createTestServer();
  });
  // Each test gets its own organisation (and data): no test sees what another one made.
  beforeEach(async () => {
    source = await createOrg(server);
    target = await createOrg(server);
    for (const org of [source, target]) {
      for (const f of FIELDS) {
        expect(
          (await client(server, org.owner).post('/api/v1/fields', { entity: 'contact', ...f })).statusCode,
        ).toBe(201);
      }
    }
    for (const p of PEOPLE) {
      const res = await client(server, source.owner).post('/api/v1/contacts', p);
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  async function poll<T>(get: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
    return waitFor(
      async () => {
        const v = await get();
        return done(v) ? v : undefined;
      },
      { what: 'a job to finish' },
    );
  }

  const people = async (session: Session) =>
    (
      (await client(server, session).get('/api/v1/contacts?limit=200&sort=email')).json().items as Array<
        Record<string, unknown>
      >
    ).map((c) => ({
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      phones: c.phones,
      jobTitle: c.jobTitle,
      source: c.source,
      tags: [...(c.tags as string[])].sort(),
      customFields: c.customFields,
    }));

  it('gives back exactly the exported values, formula guards removed', async () => {
    const src = client(server, source.owner);
    const created = await src.post('/api/v1/exports', {
      kind: 'contacts_csv',
      columns: COLUMNS,
      sort: 'email',
    });
    expect(created.statusCode, created.body).toBe(202);
    const exp = await poll(
      async () => (await src.get(`/api/v1/exports/${created.json().id}`)).json(),
      (e) => e.status === 'done' || e.status === 'failed',
    );
    expect(exp.status).toBe('done');
    const csv = (await src.get(exp.downloadUrl)).body;
    // The file is safe to open in a spreadsheet…
    expect(csv).toContain("'+33 6 12 34 56 78; +33 7 11 22 33 44");
    expect(csv).toContain("'＝1+1");
    expect(csv).toContain("''=already quoted");

    // …and imports back to the same contacts.
    const { payload, headers } = multipartFile('contacts.csv', csv);
    const uploaded = await server.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      payload,
      headers: { ...headers, cookie: target.owner.cookie, origin: server.origin },
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const imp = uploaded.json();
    const dst = client(server, target.owner);
    const started = await dst.post(`/api/v1/imports/${imp.id}/start`, {
      mapping: [
        { type: 'standard', field: 'email' },
        { type: 'standard', field: 'firstName' },
        { type: 'standard', field: 'lastName' },
        { type: 'standard', field: 'phone' },
        { type: 'standard', field: 'jobTitle' },
        { type: 'standard', field: 'source' },
        { type: 'standard', field: 'tags' },
        { type: 'custom', key: 'motto' },
        { type: 'custom', key: 'score' },
      ],
      duplicatePolicy: 'create_only',
    });
    expect(started.statusCode, started.body).toBe(200);
    const done = await poll(
      async () => (await dst.get(`/api/v1/imports/${imp.id}`)).json(),
      (i) => ['done', 'failed', 'cancelled'].includes(i.status),
    );
    expect(done.status, JSON.stringify(done)).toBe('done');
    expect(done.counts).toMatchObject({ created: PEOPLE.length, failed: 0 });

    const before = await people(source.owner);
    expect(before.map((p) => p.email)).toEqual(PEOPLE.map((p) => p.email).sort());
    expect(await people(target.owner)).toEqual(before);
  });
});
