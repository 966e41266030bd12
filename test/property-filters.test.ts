import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FilterField, OPERATORS } from '../src/common/filters.js';
import { client, createOrg } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * Property tests (fast-check) of the contact filter language through the API: generated filter
 * trees, valid and invalid (known, custom and prototype-ish fields, every operator and junk ones,
 * values of every type, deep nesting, huge strings, unicode, quotes, backslashes, LIKE wildcards,
 * NUL bytes), sent to POST /api/v1/contacts/search and to segment create + count. The answer is
 * always a 200 holding only the caller's organisation's contacts or a 400 naming the problem;
 * never a 500, never a database error in the logs.
 *
 * Runs: FC_RUNS per property (default 100: about 250 generated filters, under a minute for the
 * file; the generated trees hold several conditions each). A failure prints fast-check's seed and shrunk
 * counterexample; replay it with FC_SEED=<seed>.
 */
const RUNS = Number(process.env.FC_RUNS ?? 100);
const DEEP_RUNS = Math.max(10, Math.round(RUNS / 4));
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

const CUSTOM = [
  { key: 'plan', type: 'single_select', options: ['free', 'pro', "o'brien", '100%'] },
  { key: 'seats', type: 'number' },
  { key: 'renewal', type: 'date' },
  { key: 'active', type: 'boolean' },
  { key: 'notes', type: 'long_text' },
  { key: 'skills', type: 'multi_select', options: ['sql', 'a_b', 'back\\slash'] },
  { key: 'site', type: 'url' },
] as const;

const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'custom.__proto__',
  'custom.constructor',
  'custom.toString',
  'custom.',
  'company.__proto__',
  'company.constructor',
  'and',
  'or',
];

/** Fragments that have broken SQL builders, LIKE patterns, JSON or text encodings elsewhere. */
const NASTY = [
  "'",
  '"',
  '\\',
  '%',
  '_',
  '\u0000',
  "';--",
  "' or '1'='1",
  '%%',
  '\\%',
  '\\_',
  '$1',
  '::text',
  ')',
  '(',
  '*/',
  '/*',
  ';',
  '{',
  '}',
  '[',
  ']',
  ',',
  '\n',
  '\r',
  '\t',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '𝒳',
  'é',
  'İ',
  'ß',
  '🏳️‍🌈',
  'null',
  'NaN',
  '{"a":1}',
  'drop table contacts',
];

const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.array(fc.constantFrom(...NASTY), { maxLength: 6 }).map((a) => a.join('')),
  fc
    .tuple(fc.constantFrom(...NASTY, 'x', 'é'), fc.integer({ min: 900, max: 6000 }))
    .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n)),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2024-12-31',
    '2024-02-30',
    '0000-01-01',
    '0001-01-01T00:00:00+14:00',
    '9999-12-31T23:59:59-14:00',
    '+275760-09-13',
    '1e309',
    'Infinity',
    '',
    ' ',
  ),
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  fc.integer(),
  fc.double(), // NaN and ±Infinity travel as null in JSON
  fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 1, 5e-324),
  fc.boolean(),
  fc.constant(null),
);

/** An object with the given entries as own properties ("__proto__" included, as JSON.parse makes it). */
const objectOf = (entries: Array<[string, unknown]>) => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true });
  return o;
};

const objectValue = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('event', 'campaignId', 'withinDays', '__proto__', 'constructor'), nastyString),
      fc.oneof(
        scalar,
        fc.constantFrom('opened', 'clicked', 'sent', 'delivered', 'bounced'),
        fc.integer({ min: -5, max: 4000 }),
      ),
    ),
    { maxLength: 4 },
  )
  .map(objectOf);

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  // Around the 1000-item list limit (short items: a long list of long strings is the body limit's business).
  {
    weight: 1,
    arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), {
      minLength: 995,
      maxLength: 1005,
    }),
  },
  { weight: 1, arbitrary: objectValue },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('property: the filter language never fails the server', () => {
  let server: TestServer;
  let logs = '';
  let a: ReturnType<typeof client>;
  let b: ReturnType<typeof client>;
  const aIds = new Set<string>();
  const bIds = new Set<string>();
  let fields: FilterField[] = [];
  let segments = 0;
  let cookieA = '';

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      logs += chunk.toString('utf8');
    });
    server = await createTestServer({ logLevel: 'info' }, { logStream: stream });
    const orgA = await createOrg(server);
    const orgB = await createOrg(server);
    a = client(server, orgA.owner);
    cookieA = orgA.owner.cookie;
    b = client(server, orgB.owner);
    // Both organisations have the same custom fields, tags and look-alike contacts, so a filter
    // that leaked across organisations would find the other one's rows.
    for (const [c, ids, name] of [
      [a, aIds, 'Alpha'],
      [b, bIds, 'Bravo'],
    ] as const) {
      for (const f of CUSTOM) {
        const res = await c.post('/api/v1/fields', {
          entity: 'contact',
          label: f.key,
          key: f.key,
          type: f.type,
          ...('options' in f ? { options: [...f.options] } : {}),
        });
        expect(res.statusCode, res.body).toBe(201);
      }
      const people = [
        { firstName: `${name} O'Brien`, email: `o.brien@${name}.test`, tags: ['vip', "o'tag"] },
        { firstName: `${name} 100%`, lastName: 'a_b\\c', tags: ['100%'] },
        { email: `zoe@${name}.test`, jobTitle: 'Zoë İstanbul ß' },
        {
          firstName: `${name} Custom`,
          customFields: {
            plan: 'pro',
            seats: 12,
            renewal: '2025-06-30',
            active: true,
            notes: 'long % text _ with \\ backslash',
            skills: ['sql', 'a_b'],
            site: 'https://example.com/?q=%27',
          },
        },
      ];
      for (const p of people) {
        const res = await c.post('/api/v1/contacts', p);
        expect(res.statusCode, res.body).toBe(201);
        ids.add(res.json().id);
      }
    }
    const ff = await a.get('/api/v1/contacts/filter-fields');
    expect(ff.statusCode, ff.body).toBe(200);
    const body = ff.json() as { items?: FilterField[] } | FilterField[];
    fields = Array.isArray(body) ? body : (body.items ?? []);
    expect(fields.length).toBeGreaterThan(10);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A condition whose field and operator fit (so it reaches SQL), with a value that may or may not. */
  const typedCondition = () =>
    fc.constantFrom(...fields).chain((f) =>
      fc.record({
        field: fc.constant(f.field),
        op: fc.constantFrom(...f.operators),
        value: fc.oneof({ weight: 3, arbitrary: typedValue(f) }, { weight: 1, arbitrary: anyValue }),
      }),
    );

  /** A value of the right shape for the field, mostly; the strings are the nasty ones. */
  const typedValue = (f: FilterField): fc.Arbitrary<unknown> => {
    const one: fc.Arbitrary<unknown> =
      f.type === 'number'
        ? fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
        : f.type === 'boolean'
          ? fc.boolean()
          : f.type === 'date'
            ? fc.oneof(
                fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
                nastyString,
              )
            : f.type === 'datetime'
              ? fc.oneof(
                  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
                  nastyString,
                )
              : f.type === 'member'
                ? fc.oneof(fc.uuid(), nastyString)
                : f.options?.length
                  ? fc.oneof(fc.constantFrom(...f.options), nastyString)
                  : nastyString;
    const many = fc.array(one, { minLength: 1, maxLength: 5 });
    if (f.type === 'email_activity') return objectValue;
    if (['tags', 'multi_select'].includes(f.type)) return many;
    return fc.oneof(one, many, fc.tuple(one, one));
  };

  const junkCondition = fc.record(
    {
      field: fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
        { weight: 2, arbitrary: nastyString },
        { weight: 1, arbitrary: nastyString.map((s) => `custom.${s}`) },
        { weight: 1, arbitrary: nastyString.map((s) => `company.${s}`) },
        { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())) },
      ),
      op: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...OPERATORS) },
        { weight: 1, arbitrary: fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor', 'like')) },
      ),
      value: anyValue,
      extra: anyValue,
    },
    { requiredKeys: [] },
  );

  const junkNode = fc.oneof(
    fc.constantFrom(null, 0, 'and', true, [], {}, { and: 'x' }, { or: {} }, { and: [], or: [] }),
    fc.jsonValue({ maxDepth: 2 }),
    objectValue,
  );

  /** A filter tree: groups of conditions, mostly well-typed, some junk anywhere. */
  const tree = () => {
    const { node } = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { weight: 5, arbitrary: typedCondition() },
        { weight: 2, arbitrary: junkCondition },
        { weight: 1, arbitrary: junkNode },
        { weight: 2, arbitrary: fc.record({ and: fc.array(tie('node'), { maxLength: 5 }) }) },
        { weight: 2, arbitrary: fc.record({ or: fc.array(tie('node'), { maxLength: 5 }) }) },
      ),
    }));
    return node;
  };

  /**
   * Groups nested far beyond the limit (or just at it) around a condition, or many conditions side
   * by side. Built inside the property from a small description: fast-check's reporter would
   * overflow its own stack printing a tree 3000 levels deep.
   */
  const deepOrWide = (depth: number, key: 'and' | 'or', leaf: unknown, wide: boolean): string => {
    if (wide) {
      return JSON.stringify({
        [key]: Array.from({ length: Math.ceil(depth / 50) }, () => ({
          [key]: Array.from({ length: 50 }, (_, i) => ({
            field: 'firstName',
            op: 'contains',
            value: `%${i}_`,
          })),
        })),
      });
    }
    // As text: JSON.stringify itself overflows the stack on a few thousand levels.
    return `${`{"${key}":[`.repeat(depth)}${JSON.stringify(leaf)}${']}'.repeat(depth)}`;
  };

  function checkAnswer(what: string, res: { statusCode: number; body: string }) {
    const context = `${what} answered ${res.statusCode}: ${res.body.slice(0, 500)}`;
    if (res.statusCode === 400) {
      const body = JSON.parse(res.body) as { error?: { code?: string; message?: string } };
      expect(body.error?.code, context).toBe('VALIDATION_FAILED');
      expect(body.error?.message, context).toMatch(/\S/);
      return null;
    }
    expect([200, 201], context).toContain(res.statusCode);
    return JSON.parse(res.body);
  }

  function checkLogs() {
    const bad = logs
      .split('\n')
      .filter((l) => /"level":(50|60)|Database query failed|Failed query|syntax error|SQLSTATE/.test(l));
    logs = ''; // each request's lines are judged once
    expect(bad, 'error lines in the server log').toEqual([]);
  }

  /** POST with the filter spliced in as JSON text (so it may be deeper than JSON.stringify goes). */
  const postRaw = (url: string, filterJson: string, rest: Record<string, unknown>) =>
    server.app.inject({
      method: 'POST',
      url,
      remoteAddress: '10.200.0.1',
      headers: { origin: server.origin, cookie: cookieA, 'content-type': 'application/json' },
      payload: `{"filter":${filterJson},${JSON.stringify(rest).slice(1)}`,
    });

  async function sweep(filter: unknown, extra: Record<string, unknown> = {}, raw?: string) {
    const filterJson = raw ?? JSON.stringify(filter);
    const search = await postRaw('/api/v1/contacts/search', filterJson, { includeCount: true, ...extra });
    const page = checkAnswer('search', search) as { items: Array<{ id: string }>; count?: number } | null;
    if (page) {
      for (const item of page.items) {
        expect(bIds.has(item.id), "another organisation's contact").toBe(false);
        expect(aIds.has(item.id), 'an unknown contact').toBe(true);
      }
      expect(page.count ?? 0).toBeLessThanOrEqual(aIds.size);
    }
    const seg = await postRaw('/api/v1/segments', filterJson, { name: `generated ${++segments}` });
    const created = checkAnswer('segment create', seg) as { id: string } | null;
    // The same filter is judged the same way wherever it is used (unless the search text alone,
    // which the segment does not take, was refused: a NUL in it is a 400 of the body parser).
    const searchRefusedAlone =
      typeof extra.search === 'string' && extra.search.includes('\u0000') && page === null;
    if (!searchRefusedAlone)
      expect(
        created === null,
        `search ${search.statusCode} but segment create ${seg.statusCode}: ${seg.body.slice(0, 300)}`,
      ).toBe(page === null);
    if (created) {
      const count = await a.get(`/api/v1/segments/${created.id}/count`);
      const c = checkAnswer('segment count', count) as { count: number };
      expect(c.count).toBeLessThanOrEqual(aIds.size);
      if (page?.count !== undefined && extra.search === undefined) expect(c.count).toBe(page.count);
    }
    checkLogs();
  }

  it('text PostgreSQL refuses (NUL, unpaired surrogates) is a 400, not a 500 (found by the properties)', async () => {
    const bad = [
      { field: 'firstName', op: 'contains', value: 'a\u0000b' },
      { field: 'email', op: 'is_empty', value: '\u0000' }, // ignored by the query, still stored by a segment
      { field: 'tags', op: 'has_any', value: ['\ud800'] },
      { field: 'custom.plan', op: 'eq', value: 'x\udfffy' },
      { field: 'emailActivity', op: 'happened', value: { event: 'opened', '\u0000': 1 } },
    ];
    for (const cond of bad) {
      // A NUL is refused by the body parser for every route; an unpaired surrogate (which the
      // driver would quietly replace in text, but jsonb refuses) by the filter schema.
      const why = JSON.stringify(cond).includes('\\u0000') ? /NUL characters/ : /unpaired surrogates/;
      for (const res of [
        await a.post('/api/v1/contacts/search', { filter: { and: [cond] } }),
        await a.post('/api/v1/segments', { name: `bad text ${++segments}`, filter: { or: [cond] } }),
      ]) {
        expect(res.statusCode, `${JSON.stringify(cond)}: ${res.body}`).toBe(400);
        expect(res.json().error.message).toMatch(why);
      }
    }
    // NUL anywhere in a JSON body (the body parser, src/server/plugins/json-body.ts): names too.
    for (const [url, body] of [
      ['/api/v1/segments', { name: 'a\u0000b', filter: { and: [] } }],
      ['/api/v1/contacts', { firstName: 'a\u0000b', email: 'nul@x.test' }],
      ['/api/v1/tags', { name: '\u0000' }],
    ] as const) {
      const res = await a.post(url, body);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json().error.message).toMatch(/NUL characters/);
    }
    // An escaped backslash followed by the text u0000 is no NUL.
    const literal = await a.post('/api/v1/segments', { name: 'a\\u0000b', filter: { and: [] } });
    expect(literal.statusCode, literal.body).toBe(201);
    for (const search of ['a\u0000b', '\ud800']) {
      const res = await a.post('/api/v1/contacts/search', { search });
      expect([200, 400], res.body).toContain(res.statusCode);
    }
    // A well-formed pair and other control characters are fine.
    const ok = await a.post('/api/v1/segments', {
      name: `good text ${++segments}`,
      filter: { field: 'firstName', op: 'contains', value: '𝒳\u0001\t' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    checkLogs();
  });

  it('generated filter trees: 200 with own rows only, or 400 naming the problem', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(tree(), async (filter) => sweep(filter)),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it('single well-typed conditions with hostile strings', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        typedCondition(),
        fc.option(nastyString.map((s) => s.slice(0, 200))),
        async (cond, search) => sweep(cond, search === null ? {} : { search }),
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it('deep and wide trees are refused with a 400 or answered, never a crash', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 4, max: 8 }), fc.integer({ min: 9, max: 3000 })),
        fc.constantFrom('and', 'or'),
        typedCondition(),
        fc.boolean(),
        async (depth, key, leaf, wide) => sweep(undefined, {}, deepOrWide(depth, key, leaf, wide)),
      ),
      { numRuns: DEEP_RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
