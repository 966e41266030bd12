import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import yauzl from 'yauzl';
import { client, createOrg, type Session } from '../../../../../test/helpers/factories.js';
import { multipartFile } from '../../../../../test/helpers/multipart.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../../test/helpers/server.js';
import type { JobQueue } from '../../../lib/jobs.js';
import { runExportJob } from '../../exports/exports.jobs.js';
import { importFile, purgeAbandonedUploads } from '../../imports/imports.service.js';
import { bulkJob } from '../contacts.jobs.js';

/**
 * The contacts write path (modules/contacts/write): every write records typed events with their
 * actor in the same transaction; deletions erase; merges keep the strictest consent; restricted
 * contacts are frozen; cascades, imports and bulk actions say what changed; jobs are enqueued in
 * the request's transaction and survive their requester leaving.
 */

type Client = ReturnType<typeof client>;
interface TimelineEvent {
  id: string;
  type: string;
  actor: { type: string; id: string | null; name: string };
  data: Record<string, unknown>;
  createdAt: string;
}

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

/** A keyset cursor as the API builds them: base64url of JSON [sortKey, value, id]. */
const encodeCursor = (sortKey: string, value: string, id: unknown) =>
  Buffer.from(JSON.stringify([sortKey, value, id])).toString('base64url');

const rand = () => Math.random().toString(36).slice(2, 8);

// Some tests wait for several jobs in a row: more room than the default 30 s on a busy machine.
describe.skipIf(databaseMissing)('contacts write path', { timeout: 90_000 }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await server?.close();
  });

  const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    (await server.runtime.database.query(text, params)).rows as T[];

  async function org(roles: Array<'admin' | 'member' | 'viewer'> = []) {
    const o = await createOrg(server, roles);
    return { ...o, c: client(server, o.owner) };
  }

  async function contact(c: Client, body: Record<string, unknown>) {
    const res = await c.post('/api/v1/contacts', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string } & Record<string, unknown>;
  }

  async function timeline(c: Client, id: string): Promise<TimelineEvent[]> {
    const res = await c.get(`/api/v1/contacts/${id}/timeline?limit=200`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  }

  /** Polls `fn` until `done` holds for its value (no fixed sleeps); returns that value. */
  async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeout = 30_000): Promise<T> {
    let last: T | undefined;
    await expect
      .poll(
        async () => {
          last = await fn();
          return done(last);
        },
        { timeout, interval: 100 },
      )
      .toBe(true);
    return last as T;
  }

  const operation = (c: Client, id: string) =>
    until(
      async () => (await c.get(`/api/v1/bulk-operations/${id}`)).json(),
      (op) => op.status === 'done' || op.status === 'failed',
    );
  const exported = (c: Client, id: string) =>
    until(
      async () => (await c.get(`/api/v1/exports/${id}`)).json(),
      (e) => e.status === 'done' || e.status === 'failed',
    );
  const imported = (c: Client, id: string) =>
    until(
      async () => (await c.get(`/api/v1/imports/${id}`)).json(),
      (i) => ['done', 'failed', 'cancelled'].includes(i.status),
    );

  async function orgZip(c: Client): Promise<Record<string, string>> {
    const res = await c.post('/api/v1/exports', { kind: 'organization_zip' });
    expect(res.statusCode, res.body).toBe(202);
    const done = await exported(c, res.json().id);
    expect(done.status).toBe('done');
    const dl = await c.get(done.downloadUrl);
    expect(dl.statusCode).toBe(200);
    return unzip(dl.rawPayload);
  }

  async function upload(session: Session, name: string, content: string) {
    const { payload, headers } = multipartFile(name, content);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      payload,
      headers: { ...headers, cookie: session.cookie, origin: server.origin },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; suggestedMapping: unknown[] };
  }

  /** Inserts `n` contacts straight into the table (fast), with emails `<i>@<domain>`. */
  async function insertMany(orgId: string, n: number, domain: string) {
    await q(
      `insert into contacts (org_id, first_name, email) select $1, 'Many', g || '@' || $2 from generate_series(1, $3::int) g`,
      [orgId, domain, n],
    );
  }

  const original = (): JobQueue['send'] => {
    const jobs = server.runtime.jobs;
    return jobs.send.bind(jobs);
  };

  /**
   * While held, jobs with these names are enqueued to start an hour from now (so no worker runs them);
   * `release` makes them due at once.
   */
  function holdJobs(...names: string[]) {
    const jobs = server.runtime.jobs;
    const send = original();
    const spy = vi
      .spyOn(jobs, 'send')
      .mockImplementation(((job, data, options) =>
        send(
          job,
          data,
          names.includes(job.name) ? { ...options, startAfter: new Date(Date.now() + 3_600_000) } : options,
        )) as JobQueue['send']);
    return {
      async release() {
        spy.mockRestore();
        await q(
          `update pgboss.job set start_after = now() where name = any($1::text[]) and state = 'created'`,
          [names],
        );
      },
    };
  }

  /** Makes enqueueing jobs named `name` fail (the queue is down). */
  function failJobs(name: string) {
    const jobs = server.runtime.jobs;
    const send = original();
    return vi
      .spyOn(jobs, 'send')
      .mockImplementation(((job, data, options) =>
        job.name === name
          ? Promise.reject(new Error('queue down'))
          : send(job, data, options)) as JobQueue['send']);
  }

  async function memberIdOf(c: Client, userId: string): Promise<string> {
    const members = (await c.get('/api/v1/members')).json().items as Array<{ id: string; userId: string }>;
    return members.find((m) => m.userId === userId)!.id;
  }

  // ------------------------------------------------------------------ 1. erasure

  describe('deleting erases personal data', () => {
    async function personalContact(c: Client, tag: string) {
      const r = rand();
      const p = {
        oldEmail: `gone-old-${r}@erase.test`,
        newEmail: `gone-new-${r}@erase.test`,
        phone: `+1 555 01${r.replace(/\D/g, '').padEnd(2, '7').slice(0, 2)}`,
        firstName: `Zebulon${r}`,
        note: `Private note about Zebulon ${r}`,
      };
      const ct = await contact(c, {
        firstName: p.firstName,
        lastName: 'Erasmus',
        email: p.oldEmail,
        phones: [p.phone],
        tags: [tag],
      });
      expect((await c.patch(`/api/v1/contacts/${ct.id}`, { email: p.newEmail, phones: [] })).statusCode).toBe(
        200,
      );
      expect((await c.post(`/api/v1/contacts/${ct.id}/notes`, { body: p.note })).statusCode).toBe(201);
      // The events do hold the personal data before the deletion.
      const [held] = await q<{ n: number }>(
        `select count(*)::int as n from contact_events where contact_id = $1
          and (data::text like '%' || $2 || '%' or data::text like '%' || $3 || '%')`,
        [ct.id, p.oldEmail, p.note],
      );
      expect(held!.n).toBeGreaterThanOrEqual(2);
      return { id: ct.id, strings: Object.values(p) };
    }

    async function expectOnlyTombstone(id: string, data: Record<string, unknown>) {
      const events = await q<{ type: string; data: unknown }>(
        'select type, data from contact_events where contact_id = $1',
        [id],
      );
      expect(events).toEqual([{ type: 'contact.deleted', data }]);
      expect(await q('select id from notes where contact_id = $1', [id])).toEqual([]);
    }

    async function expectNotInTables(orgId: string, strings: string[]) {
      for (const s of strings) {
        const [found] = await q<{ n: number }>(
          `select (select count(*) from contact_events where org_id = $1 and data::text like '%' || $2 || '%')::int
            + (select count(*) from notes where org_id = $1 and body like '%' || $2 || '%')::int as n`,
          [orgId, s],
        );
        expect(found!.n, s).toBe(0);
      }
    }

    function expectNotInZip(files: Record<string, string>, strings: string[]) {
      for (const [name, content] of Object.entries(files)) {
        for (const s of strings) expect(content.includes(s), `${s} in ${name}`).toBe(false);
      }
    }

    it('DELETE /contacts/:id leaves only a contact.deleted tombstone with {} data and nothing in the org export', async () => {
      const { orgId, c } = await org();
      const keeper = await contact(c, { firstName: 'Keeper', email: `keeper-${rand()}@erase.test` });
      const gone = await personalContact(c, 'erase');
      expect((await c.delete(`/api/v1/contacts/${gone.id}`)).statusCode).toBe(204);

      await expectOnlyTombstone(gone.id, {});
      await expectNotInTables(orgId, gone.strings);
      const files = await orgZip(c);
      expect(files['contacts.jsonl']).toContain(keeper.email as string);
      expectNotInZip(files, gone.strings);
    });

    it('bulk delete (ids and filter selections) leaves only tombstones and nothing in the org export', async () => {
      const { orgId, c } = await org();
      const keeper = await contact(c, { firstName: 'Keeper', email: `keeper-${rand()}@erase.test` });
      const byIds = [await personalContact(c, 'by-ids'), await personalContact(c, 'by-ids')];
      const byFilter = await personalContact(c, 'by-filter');

      const del = await c.post('/api/v1/contacts/bulk', {
        selection: { ids: byIds.map((g) => g.id) },
        action: { type: 'delete' },
      });
      expect(del.statusCode, del.body).toBe(200);
      expect(del.json().affected).toBe(2);
      const del2 = await c.post('/api/v1/contacts/bulk', {
        selection: { filter: { field: 'tags', op: 'has_any', value: ['by-filter'] } },
        action: { type: 'delete' },
      });
      expect(del2.statusCode, del2.body).toBe(200);
      expect(del2.json().affected).toBe(1);

      for (const g of [...byIds, byFilter]) {
        await expectOnlyTombstone(g.id, { bulk: true });
        await expectNotInTables(orgId, g.strings);
      }
      const files = await orgZip(c);
      expect(files['contacts.jsonl']).toContain(keeper.email as string);
      expectNotInZip(
        files,
        [...byIds, byFilter].flatMap((g) => g.strings),
      );
    });
  });

  // ------------------------------------------------------------------ 2. merges keep the strictest consent

  describe('merging keeps the most restrictive subscription with its consent', () => {
    const consentA = { basis: 'consent', source: 'web form', at: '2024-01-01T10:00:00.000Z' };
    const consentB = {
      basis: 'legitimate_interest',
      source: 'unsubscribe link',
      at: '2024-06-01T10:00:00.000Z',
    };

    async function mergePair(
      c: Client,
      a: { status: string; consent: typeof consentA },
      b: { status: string; consent: typeof consentA },
    ) {
      const r = rand();
      const ca = await contact(c, {
        firstName: 'Ann',
        email: `ann-${r}@merge.test`,
        subscriptionStatus: a.status,
        consent: a.consent,
      });
      const cb = await contact(c, {
        firstName: 'Annie',
        email: `annie-${r}@merge.test`,
        subscriptionStatus: b.status,
        consent: b.consent,
      });
      const res = await c.post(`/api/v1/contacts/${ca.id}/merge`, { otherId: cb.id });
      expect(res.statusCode, res.body).toBe(200);
      expect((await c.get(`/api/v1/contacts/${cb.id}`)).statusCode).toBe(404);
      const merged = (await timeline(c, ca.id)).find((e) => e.type === 'contact.merged')!;
      return { result: res.json(), merged, a: ca, b: cb };
    }

    it('subscribed + unsubscribed → unsubscribed with the unsubscribed contact’s consent, in both orders', async () => {
      const { c } = await org();
      const one = await mergePair(
        c,
        { status: 'subscribed', consent: consentA },
        { status: 'unsubscribed', consent: consentB },
      );
      expect(one.result).toMatchObject({ subscriptionStatus: 'unsubscribed', consent: consentB });
      expect(one.merged.data).toMatchObject({
        mergedContact: { id: one.b.id, email: one.b.email },
      });
      expect(one.merged.data.changes).toEqual(
        expect.arrayContaining([
          { field: 'subscriptionStatus', before: 'subscribed', after: 'unsubscribed' },
          { field: 'consent', before: consentA, after: consentB },
          { field: 'emails', before: [], after: [one.b.email] },
        ]),
      );

      const two = await mergePair(
        c,
        { status: 'unsubscribed', consent: consentA },
        { status: 'subscribed', consent: consentB },
      );
      expect(two.result).toMatchObject({ subscriptionStatus: 'unsubscribed', consent: consentA });
      const fields = (two.merged.data.changes as Array<{ field: string }>).map((ch) => ch.field);
      expect(fields).toContain('emails');
      expect(fields).not.toContain('subscriptionStatus');
      expect(fields).not.toContain('consent');
    });

    it('subscribed + complained → complained with the complained contact’s consent, in both orders', async () => {
      const { c } = await org();
      const one = await mergePair(
        c,
        { status: 'subscribed', consent: consentA },
        { status: 'complained', consent: consentB },
      );
      expect(one.result).toMatchObject({ subscriptionStatus: 'complained', consent: consentB });
      expect(one.merged.data.changes).toEqual(
        expect.arrayContaining([{ field: 'subscriptionStatus', before: 'subscribed', after: 'complained' }]),
      );
      const two = await mergePair(
        c,
        { status: 'complained', consent: consentA },
        { status: 'subscribed', consent: consentB },
      );
      expect(two.result).toMatchObject({ subscriptionStatus: 'complained', consent: consentA });
      const three = await mergePair(
        c,
        { status: 'unsubscribed', consent: consentA },
        { status: 'complained', consent: consentB },
      );
      expect(three.result).toMatchObject({ subscriptionStatus: 'complained', consent: consentB });
    });
  });

  // ------------------------------------------------------------------ 3. restricted contacts are frozen

  describe('restricted contacts', () => {
    it('cannot be edited, given notes or merged (409, nothing changes) until the restriction is lifted', async () => {
      const { c } = await org();
      const r = rand();
      const locked = await contact(c, {
        firstName: 'Locked',
        email: `locked-${r}@restrict.test`,
        restricted: true,
        tags: ['keep'],
      });
      const other = await contact(c, { firstName: 'Other', email: `other-${r}@restrict.test` });
      const before = (await c.get(`/api/v1/contacts/${locked.id}`)).json();
      const eventsBefore = await timeline(c, locked.id);

      const attempts = [
        await c.patch(`/api/v1/contacts/${locked.id}`, { firstName: 'Changed' }),
        await c.patch(`/api/v1/contacts/${locked.id}`, { tags: ['keep', 'new'] }),
        await c.patch(`/api/v1/contacts/${locked.id}`, { restricted: false, firstName: 'Sneaky' }),
        await c.post(`/api/v1/contacts/${locked.id}/notes`, { body: 'a note' }),
        await c.post(`/api/v1/contacts/${locked.id}/merge`, { otherId: other.id }),
        await c.post(`/api/v1/contacts/${other.id}/merge`, { otherId: locked.id }),
      ];
      for (const res of attempts) {
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json().error.message).toMatch(/restricted/i);
      }
      expect((await c.get(`/api/v1/contacts/${locked.id}`)).json()).toEqual(before);
      expect((await c.get(`/api/v1/contacts/${other.id}`)).statusCode).toBe(200);
      expect((await c.get(`/api/v1/contacts/${locked.id}/notes`)).json().items).toEqual([]);
      expect(await timeline(c, locked.id)).toEqual(eventsBefore);

      const lift = await c.patch(`/api/v1/contacts/${locked.id}`, { restricted: false });
      expect(lift.statusCode, lift.body).toBe(200);
      expect(lift.json().restricted).toBe(false);
      expect((await timeline(c, locked.id))[0]).toMatchObject({
        type: 'contact.updated',
        data: { changes: [{ field: 'restricted', before: true, after: false }] },
      });
      const edit = await c.patch(`/api/v1/contacts/${locked.id}`, { firstName: 'Changed' });
      expect(edit.statusCode, edit.body).toBe(200);
      expect(edit.json().firstName).toBe('Changed');
    });

    it('are skipped by bulk edits on a filter selection (no change, no event) but can still be deleted, alone or in bulk', async () => {
      const { orgId, c } = await org();
      const r = rand();
      const locked = await contact(c, {
        firstName: 'Locked',
        email: `l-${r}@restrict.test`,
        restricted: true,
      });
      const free = await contact(c, { firstName: 'Free', email: `f-${r}@restrict.test` });
      for (const action of [
        { type: 'add_tags', tags: ['bulk-tag'] },
        { type: 'set_field', field: 'jobTitle', value: 'Boss' },
        { type: 'set_field', field: 'subscriptionStatus', value: 'unsubscribed' },
      ]) {
        const res = await c.post('/api/v1/contacts/bulk', {
          selection: { search: `${r}@restrict.test` },
          action,
        });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().affected).toBe(1);
      }
      const [row] = await q<{ tag_ids: string[]; job_title: string; subscription_status: string }>(
        'select tag_ids, job_title, subscription_status from contacts where id = $1',
        [locked.id],
      );
      expect(row).toEqual({ tag_ids: [], job_title: '', subscription_status: 'not_subscribed' });
      expect((await timeline(c, locked.id)).map((e) => e.type)).toEqual(['contact.created']);
      expect((await c.get(`/api/v1/contacts/${free.id}`)).json()).toMatchObject({
        tags: ['bulk-tag'],
        jobTitle: 'Boss',
        subscriptionStatus: 'unsubscribed',
      });

      expect((await c.delete(`/api/v1/contacts/${locked.id}`)).statusCode).toBe(204);
      const another = await contact(c, {
        firstName: 'Locked 2',
        email: `l2-${r}@restrict.test`,
        restricted: true,
      });
      const bulkDel = await c.post('/api/v1/contacts/bulk', {
        selection: { ids: [another.id] },
        action: { type: 'delete' },
      });
      expect(bulkDel.statusCode, bulkDel.body).toBe(200);
      expect(bulkDel.json().results).toEqual([{ id: another.id, status: 'ok' }]);
      const [left] = await q<{ n: number }>(
        'select count(*)::int as n from contacts where org_id = $1 and restricted',
        [orgId],
      );
      expect(left!.n).toBe(0);
    });

    it('are skipped by bulk edits on an ids selection, reported with status "restricted"', async () => {
      const { c } = await org();
      const r = rand();
      const locked = await contact(c, {
        firstName: 'Locked',
        email: `l-${r}@restrict.test`,
        restricted: true,
      });
      const free = await contact(c, { firstName: 'Free', email: `f-${r}@restrict.test` });
      const res = await c.post('/api/v1/contacts/bulk', {
        selection: { ids: [locked.id, free.id] },
        action: { type: 'add_tags', tags: ['bulk-tag'] },
      });
      expect((await c.get(`/api/v1/contacts/${locked.id}`)).json().tags).toEqual([]);
      expect((await c.get(`/api/v1/contacts/${free.id}`)).json().tags).toEqual(['bulk-tag']);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ affected: 1 });
      expect(res.json().results).toEqual([
        { id: locked.id, status: 'restricted' },
        { id: free.id, status: 'ok' },
      ]);
    });
  });

  // ------------------------------------------------------------------ 4. bulk set_field

  it('bulk set_field on jobTitle, source, subscriptionStatus and restricted writes contact.updated with before/after', async () => {
    const { c } = await org();
    const r = rand();
    const ids = [
      (await contact(c, { firstName: 'One', email: `one-${r}@set.test`, tags: ['set'] })).id,
      (await contact(c, { firstName: 'Two', email: `two-${r}@set.test`, tags: ['set'] })).id,
    ];
    const steps: Array<[string, unknown, unknown, 'ids' | 'filter']> = [
      ['jobTitle', 'CTO', '', 'ids'],
      ['source', 'trade fair', 'manual', 'filter'],
      ['subscriptionStatus', 'unsubscribed', 'not_subscribed', 'ids'],
      ['restricted', true, false, 'filter'],
      ['restricted', false, true, 'ids'],
    ];
    for (const [field, value, before, mode] of steps) {
      const res = await c.post('/api/v1/contacts/bulk', {
        selection: mode === 'ids' ? { ids } : { filter: { field: 'tags', op: 'has_any', value: ['set'] } },
        action: { type: 'set_field', field, value },
      });
      expect(res.statusCode, `${field}: ${res.body}`).toBe(200);
      expect(res.json().affected, field).toBe(2);
      for (const id of ids) {
        expect((await timeline(c, id))[0], field).toMatchObject({
          type: 'contact.updated',
          actor: { type: 'user' },
          data: { bulk: true, changes: [{ field, before, after: value }] },
        });
      }
    }
    expect((await c.get(`/api/v1/contacts/${ids[0]}`)).json()).toMatchObject({
      jobTitle: 'CTO',
      source: 'trade fair',
      subscriptionStatus: 'unsubscribed',
      restricted: false,
    });
    // Subscribing needs a consent record per contact: never in bulk.
    const subscribe = await c.post('/api/v1/contacts/bulk', {
      selection: { ids },
      action: { type: 'set_field', field: 'subscriptionStatus', value: 'subscribed' },
    });
    expect(subscribe.statusCode).toBe(400);
    expect(subscribe.json().error.message).toContain('consent');
    // Setting what is already there changes (and records) nothing.
    const again = await c.post('/api/v1/contacts/bulk', {
      selection: { ids },
      action: { type: 'set_field', field: 'jobTitle', value: 'CTO' },
    });
    expect(again.json().affected).toBe(0);
    expect((await timeline(c, ids[0]!)).length).toBe(1 + steps.length);
  });

  // ------------------------------------------------------------------ 5. empty selections

  it('an empty bulk selection ({}, empty filter, blank search) answers 400 and changes nothing; {all: true} acts on all', async () => {
    const { orgId, c } = await org();
    const r = rand();
    for (let i = 0; i < 3; i++) await contact(c, { firstName: `E${i}`, email: `e${i}-${r}@empty.test` });
    const count = async () =>
      (await q<{ n: number }>('select count(*)::int as n from contacts where org_id = $1', [orgId]))[0]!.n;
    const events = async () =>
      (await q<{ n: number }>('select count(*)::int as n from contact_events where org_id = $1', [orgId]))[0]!
        .n;
    const eventsBefore = await events();
    for (const selection of [
      {},
      { filter: { and: [] } },
      { filter: { or: [{ and: [] }] } },
      { search: '  ' },
      { search: '' },
    ]) {
      for (const action of [{ type: 'delete' }, { type: 'add_tags', tags: ['everyone'] }]) {
        const res = await c.post('/api/v1/contacts/bulk', { selection, action });
        expect(res.statusCode, `${JSON.stringify(selection)}: ${res.body}`).toBe(400);
        expect(JSON.stringify(res.json().error)).toMatch(/all/);
      }
    }
    // "all" cannot widen a narrowed selection either.
    expect(
      (
        await c.post('/api/v1/contacts/bulk', {
          selection: { all: true, search: 'e0' },
          action: { type: 'delete' },
        })
      ).statusCode,
    ).toBe(400);
    expect(await count()).toBe(3);
    expect(await events()).toBe(eventsBefore);

    const all = await c.post('/api/v1/contacts/bulk', {
      selection: { all: true },
      action: { type: 'add_tags', tags: ['everyone'] },
    });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().affected).toBe(3);
    const tagged = await c.post('/api/v1/contacts/search', {
      filter: { field: 'tags', op: 'has_any', value: ['everyone'] },
      includeCount: true,
    });
    expect(tagged.json().count).toBe(3);
  });

  // ------------------------------------------------------------------ 6. cascades

  describe('cascades write timeline events on every contact they change', () => {
    it('deleting a tag → tag.removed with cause tag.deleted on each contact that had it', async () => {
      const { c } = await org();
      const r = rand();
      const had = [
        await contact(c, { firstName: 'H1', email: `h1-${r}@cascade.test`, tags: ['doomed', 'stays'] }),
        await contact(c, { firstName: 'H2', email: `h2-${r}@cascade.test`, tags: ['doomed'] }),
      ];
      const not = await contact(c, { firstName: 'N', email: `n-${r}@cascade.test`, tags: ['stays'] });
      const tag = (await c.get('/api/v1/tags'))
        .json()
        .items.find((t: { name: string }) => t.name === 'doomed');
      expect((await c.delete(`/api/v1/tags/${tag.id}`)).statusCode).toBe(204);
      for (const ct of had) {
        const tl = await timeline(c, ct.id);
        expect(tl[0]).toMatchObject({
          type: 'tag.removed',
          actor: { type: 'user' },
          data: { tags: ['doomed'], cause: { type: 'tag.deleted', name: 'doomed' } },
        });
        expect(tl).toHaveLength(2);
      }
      expect((await c.get(`/api/v1/contacts/${had[0]!.id}`)).json().tags).toEqual(['stays']);
      expect((await timeline(c, not.id)).map((e) => e.type)).toEqual(['contact.created']);
    });

    it('merging tags → tag.removed everywhere, tag.added only where the target tag was missing', async () => {
      const { c } = await org();
      const r = rand();
      const onlyOld = await contact(c, { firstName: 'O', email: `o-${r}@cascade.test`, tags: ['old'] });
      const both = await contact(c, { firstName: 'B', email: `b-${r}@cascade.test`, tags: ['old', 'new'] });
      const onlyNew = await contact(c, { firstName: 'N', email: `n-${r}@cascade.test`, tags: ['new'] });
      const tags = (await c.get('/api/v1/tags')).json().items as Array<{ id: string; name: string }>;
      const from = tags.find((t) => t.name === 'old')!;
      const into = tags.find((t) => t.name === 'new')!;
      const res = await c.post(`/api/v1/tags/${from.id}/merge`, { intoId: into.id });
      expect(res.statusCode, res.body).toBe(200);
      const cause = { type: 'tag.merged', name: 'new' };

      const a = await timeline(c, onlyOld.id);
      expect(
        a
          .slice(0, 2)
          .map((e) => e.type)
          .sort(),
      ).toEqual(['tag.added', 'tag.removed']);
      expect(a.find((e) => e.type === 'tag.removed')!.data).toMatchObject({ tags: ['old'], cause });
      expect(a.find((e) => e.type === 'tag.added')!.data).toMatchObject({ tags: ['new'], cause });
      const b = await timeline(c, both.id);
      expect(b.map((e) => e.type)).toEqual(['tag.removed', 'contact.created']);
      expect(b[0]!.data).toMatchObject({ tags: ['old'], cause });
      expect((await timeline(c, onlyNew.id)).map((e) => e.type)).toEqual(['contact.created']);
      expect((await c.get(`/api/v1/contacts/${onlyOld.id}`)).json().tags).toEqual(['new']);
      expect((await c.get(`/api/v1/contacts/${both.id}`)).json().tags).toEqual(['new']);
    });

    it('renaming a company → contact.updated {company: before → after}; deleting it → company: → null', async () => {
      const { c } = await org();
      const r = rand();
      const co = (await c.post('/api/v1/companies', { name: 'Acme' })).json();
      const staff = [
        await contact(c, { firstName: 'S1', email: `s1-${r}@acme.test`, companyId: co.id }),
        await contact(c, { firstName: 'S2', email: `s2-${r}@acme.test`, companyId: co.id }),
      ];
      const outsider = await contact(c, { firstName: 'X', email: `x-${r}@else.test` });
      const ren = await c.patch(`/api/v1/companies/${co.id}`, { name: 'Acme Corp' });
      expect(ren.statusCode, ren.body).toBe(200);
      for (const s of staff) {
        expect((await timeline(c, s.id))[0]).toMatchObject({
          type: 'contact.updated',
          data: {
            changes: [{ field: 'company', before: 'Acme', after: 'Acme Corp' }],
            cause: { type: 'company.renamed', name: 'Acme Corp' },
          },
        });
        expect((await c.get(`/api/v1/contacts/${s.id}`)).json().company).toEqual({
          id: co.id,
          name: 'Acme Corp',
        });
      }
      expect((await c.delete(`/api/v1/companies/${co.id}`)).statusCode).toBe(204);
      for (const s of staff) {
        expect((await timeline(c, s.id))[0]).toMatchObject({
          type: 'contact.updated',
          data: {
            changes: [{ field: 'company', before: 'Acme Corp', after: null }],
            cause: { type: 'company.deleted', name: 'Acme Corp' },
          },
        });
        expect((await c.get(`/api/v1/contacts/${s.id}`)).json().company).toBeNull();
      }
      expect((await timeline(c, outsider.id)).map((e) => e.type)).toEqual(['contact.created']);
    });

    it('deleting a custom field (confirm=true) → contact.updated with its old value on each contact that had one', async () => {
      const { c } = await org();
      const r = rand();
      const field = (
        await c.post('/api/v1/fields', { entity: 'contact', label: 'Tier', type: 'text' })
      ).json();
      const gold = await contact(c, {
        firstName: 'G',
        email: `g-${r}@field.test`,
        customFields: { [field.key]: 'gold' },
      });
      const none = await contact(c, { firstName: 'N', email: `n-${r}@field.test` });
      const unconfirmed = await c.delete(`/api/v1/fields/${field.id}`);
      expect(unconfirmed.statusCode).toBe(400);
      expect(unconfirmed.json().error.code).toBe('CONFIRMATION_REQUIRED');
      expect((await timeline(c, gold.id)).map((e) => e.type)).toEqual(['contact.created']);
      expect((await c.delete(`/api/v1/fields/${field.id}?confirm=true`)).statusCode).toBe(204);
      expect((await timeline(c, gold.id))[0]).toMatchObject({
        type: 'contact.updated',
        data: {
          changes: [{ field: `custom.${field.key}`, before: 'gold', after: null }],
          cause: { type: 'field.deleted', name: 'Tier' },
        },
      });
      expect((await c.get(`/api/v1/contacts/${gold.id}`)).json().customFields).toEqual({});
      expect((await timeline(c, none.id)).map((e) => e.type)).toEqual(['contact.created']);
    });
  });

  // ------------------------------------------------------------------ 7. imports say what changed

  it('an import records contact.updated with before/after as the import, writes nothing on re-import, and leaves restricted contacts alone', async () => {
    const { owner, c } = await org();
    const r = rand();
    expect(
      (await c.post('/api/v1/fields', { entity: 'contact', label: 'Score', key: 'score', type: 'number' }))
        .statusCode,
    ).toBe(201);
    const target = await contact(c, {
      firstName: 'Old',
      lastName: 'Name',
      email: `target-${r}@import.test`,
      customFields: { score: 1 },
    });
    const locked = await contact(c, {
      firstName: 'Locked',
      email: `locked-${r}@import.test`,
      restricted: true,
      customFields: { score: 2 },
    });
    const csv = [
      'Email,First name,Score',
      `target-${r}@import.test,New,5`,
      `LOCKED-${r}@import.test,Changed,9`,
    ].join('\n');
    const mapping = [
      { type: 'standard', field: 'email' },
      { type: 'standard', field: 'firstName' },
      { type: 'custom', key: 'score' },
    ];
    const fileName = `update-${r}.csv`;
    const runImport = async () => {
      const imp = await upload(owner, fileName, csv);
      const start = await c.post(`/api/v1/imports/${imp.id}/start`, {
        mapping,
        duplicatePolicy: 'create_update',
        dryRun: false,
      });
      expect(start.statusCode, start.body).toBe(200);
      const done = await imported(c, imp.id);
      expect(done.status).toBe('done');
      return done;
    };

    const first = await runImport();
    expect(first.counts).toMatchObject({ created: 0, updated: 1, unchanged: 1, failed: 0 });
    const tl = await timeline(c, target.id);
    expect(tl).toHaveLength(2);
    expect(tl[0]).toMatchObject({
      type: 'contact.updated',
      actor: { type: 'import', id: first.id, name: fileName },
      data: { importId: first.id, fileName, row: 2 },
    });
    expect(tl[0]!.data.changes).toEqual(
      expect.arrayContaining([
        { field: 'firstName', before: 'Old', after: 'New' },
        { field: 'custom.score', before: 1, after: 5 },
      ]),
    );
    expect(tl[0]!.data.changes).toHaveLength(2);
    expect((await c.get(`/api/v1/contacts/${target.id}`)).json()).toMatchObject({
      firstName: 'New',
      lastName: 'Name',
      customFields: { score: 5 },
    });
    const lockedAfter = (await c.get(`/api/v1/contacts/${locked.id}`)).json();
    expect(lockedAfter).toMatchObject({ firstName: 'Locked', customFields: { score: 2 }, restricted: true });
    expect((await timeline(c, locked.id)).map((e) => e.type)).toEqual(['contact.created']);

    const second = await runImport();
    expect(second.counts).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await timeline(c, target.id)).toEqual(tl);
    expect((await c.get(`/api/v1/contacts/${locked.id}`)).json()).toEqual(lockedAfter);
    expect((await timeline(c, locked.id)).map((e) => e.type)).toEqual(['contact.created']);
  });

  // ------------------------------------------------------------------ 8. ordering and paging

  it('events of one action appear in reverse recording order (tag.removed, tag.added, contact.updated)', async () => {
    const { c } = await org();
    const ct = await contact(c, { firstName: 'Ord', email: `ord-${rand()}@order.test`, tags: ['a'] });
    expect(
      (await c.patch(`/api/v1/contacts/${ct.id}`, { jobTitle: 'Chef', tags: ['a', 'b'] })).statusCode,
    ).toBe(200);
    let tl = await timeline(c, ct.id);
    expect(tl.map((e) => e.type)).toEqual(['tag.added', 'contact.updated', 'contact.created']);
    expect(tl[0]!.createdAt).toBe(tl[1]!.createdAt);
    expect((await c.patch(`/api/v1/contacts/${ct.id}`, { jobTitle: 'Cook', tags: ['c'] })).statusCode).toBe(
      200,
    );
    tl = await timeline(c, ct.id);
    expect(tl.slice(0, 3).map((e) => e.type)).toEqual(['tag.removed', 'tag.added', 'contact.updated']);
    expect([...(tl[0]!.data.tags as string[])].sort()).toEqual(['a', 'b']);
    expect(tl[1]!.data.tags).toEqual(['c']);
  });

  it('the timeline cursor pages through more than 60 events exactly once, newest first', async () => {
    const { c } = await org();
    const ct = await contact(c, { firstName: 'Busy', email: `busy-${rand()}@page.test`, tags: ['t0'] });
    // 22 edits × 3 events (contact.updated, tag.added, tag.removed) + contact.created = 67.
    for (let i = 1; i <= 22; i++) {
      const res = await c.patch(`/api/v1/contacts/${ct.id}`, { jobTitle: `J${i}`, tags: [`t${i}`] });
      expect(res.statusCode, res.body).toBe(200);
    }
    const expected = (
      await q<{ id: string }>(
        'select id from contact_events where contact_id = $1 order by created_at desc, seq desc',
        [ct.id],
      )
    ).map((e) => e.id);
    expect(expected).toHaveLength(67);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await c.get(
        `/api/v1/contacts/${ct.id}/timeline?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { items: TimelineEvent[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(25);
      seen.push(...body.items.map((e) => e.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(67);
  });

  // ------------------------------------------------------------------ 9. bad cursors

  it('forged cursors answer 400, never 500 (bad timestamps, numbers and timeline ids)', async () => {
    const { c } = await org();
    expect(
      (await c.post('/api/v1/fields', { entity: 'contact', label: 'Score', key: 'score', type: 'number' }))
        .statusCode,
    ).toBe(201);
    const ct = await contact(c, { firstName: 'Cur', email: `cur-${rand()}@cursor.test` });
    const id = '00000000-0000-4000-8000-000000000001';
    const lists: Array<[string, string]> = [
      ['createdAt', 'garbage'],
      ['createdAt', '2024-13-45 99:00:00'],
      ['createdAt', '2024-02-30 10:00:00'],
      ['-updatedAt', '2024-01-01 25:61:00+00'],
      ['custom.score', 'abc'],
      ['-custom.score', '1e999999'],
    ];
    for (const [sort, value] of lists) {
      const cursor = encodeCursor(sort, value, id);
      const get = await c.get(`/api/v1/contacts?sort=${encodeURIComponent(sort)}&cursor=${cursor}`);
      expect(get.statusCode, `${sort} ${value}: ${get.body}`).toBe(400);
      expect(get.json().error.message).toMatch(/cursor/);
      const search = await c.post('/api/v1/contacts/search', { sort, cursor });
      expect(search.statusCode, `${sort} ${value}: ${search.body}`).toBe(400);
    }
    // A cursor from another sort, and garbage that is not a cursor at all.
    expect(
      (await c.get(`/api/v1/contacts?sort=email&cursor=${encodeCursor('createdAt', '', id)}`)).statusCode,
    ).toBe(400);
    expect((await c.get('/api/v1/contacts?cursor=%21%21not-base64')).statusCode).toBe(400);
    // The timeline's cursor must carry an event id (a uuid).
    for (const bad of [
      encodeCursor('timeline', '', 'not-a-uuid'),
      encodeCursor('timeline', '', "x' or 1=1 --"),
      encodeCursor('timeline', '', 42),
    ]) {
      const res = await c.get(`/api/v1/contacts/${ct.id}/timeline?cursor=${bad}`);
      expect(res.statusCode, res.body).toBe(400);
    }
    // A well-formed cursor still works.
    const ok = await c.get(
      `/api/v1/contacts?sort=createdAt&cursor=${encodeCursor('createdAt', '2024-01-01 10:00:00+00', id)}`,
    );
    expect(ok.statusCode, ok.body).toBe(200);
  });

  // ------------------------------------------------------------------ 11. jobs outlive their requester

  describe('background work keeps going when the member who started it leaves', () => {
    it('a large bulk action started by a removed member finishes "done", acting as the system or that user', async () => {
      const { orgId, c, member } = await org(['member']);
      await insertMany(orgId, 2_100, 'left.test');
      const mc = client(server, member!);
      const held = holdJobs(bulkJob.name);
      const res = await mc.post('/api/v1/contacts/bulk', {
        selection: { filter: { field: 'email', op: 'contains', value: '@left.test' } },
        action: { type: 'add_tags', tags: ['after-leaving'] },
      });
      expect(res.statusCode, res.body).toBe(202);
      const opId = res.json().operationId as string;
      expect((await c.delete(`/api/v1/members/${await memberIdOf(c, member!.userId)}`)).statusCode).toBe(204);
      await held.release();

      expect(await operation(c, opId)).toMatchObject({ status: 'done', total: 2_100, done: 2_100 });
      const tagged = await c.post('/api/v1/contacts/search', {
        filter: { field: 'tags', op: 'has_any', value: ['after-leaving'] },
        includeCount: true,
        limit: 1,
      });
      expect(tagged.json().count).toBe(2_100);
      const actors = await q<{ actor_type: string; actor_id: string | null; n: number }>(
        `select actor_type, actor_id, count(*)::int as n from contact_events
          where org_id = $1 and type = 'tag.added' group by 1, 2`,
        [orgId],
      );
      expect(actors).toHaveLength(1);
      expect(actors[0]!.n).toBe(2_100);
      if (actors[0]!.actor_type === 'user') expect(actors[0]!.actor_id).toBe(member!.userId);
      else expect(actors[0]).toMatchObject({ actor_type: 'system', actor_id: null });
      const tl = await timeline(c, tagged.json().items[0].id);
      expect(['system', 'user']).toContain(tl[0]!.actor.type);
    });

    it('an import started by a removed member still finishes, acting as the import', async () => {
      const { c, member } = await org(['member']);
      const r = rand();
      const fileName = `left-${r}.csv`;
      const imp = await upload(member!, fileName, `email,first name\nleaver-${r}@left.test,Lea\n`);
      const mc = client(server, member!);
      const held = holdJobs('imports.run');
      const start = await mc.post(`/api/v1/imports/${imp.id}/start`, {
        mapping: imp.suggestedMapping,
        duplicatePolicy: 'create_update',
        dryRun: false,
      });
      expect(start.statusCode, start.body).toBe(200);
      expect((await c.delete(`/api/v1/members/${await memberIdOf(c, member!.userId)}`)).statusCode).toBe(204);
      await held.release();

      const done = await imported(c, imp.id);
      expect(done).toMatchObject({ status: 'done', counts: { created: 1, failed: 0 } });
      const created = (await c.get(`/api/v1/contacts?search=leaver-${r}`)).json().items[0];
      expect(created.firstName).toBe('Lea');
      expect((await timeline(c, created.id))[0]).toMatchObject({
        type: 'contact.created',
        actor: { type: 'import', id: imp.id, name: fileName },
      });
    });
  });

  // ------------------------------------------------------------------ 12. jobs in the request's transaction

  describe("jobs are enqueued in the request's transaction", () => {
    it('when the enqueue fails, a large bulk action, an export and an import start fail and leave nothing queued', async () => {
      const { orgId, owner, c } = await org();
      await insertMany(orgId, 2_050, 'queue.test');

      let spy = failJobs(bulkJob.name);
      const bulk = await c.post('/api/v1/contacts/bulk', {
        selection: { filter: { field: 'email', op: 'contains', value: '@queue.test' } },
        action: { type: 'add_tags', tags: ['never'] },
      });
      expect(bulk.statusCode, bulk.body).toBe(500);
      expect(spy).toHaveBeenCalled();
      spy.mockRestore();
      expect(await q('select id from bulk_operations where org_id = $1', [orgId])).toEqual([]);
      const [tagged] = await q<{ n: number }>(
        `select count(*)::int as n from contacts c join tags t on t.id = any(c.tag_ids) where c.org_id = $1`,
        [orgId],
      );
      expect(tagged!.n).toBe(0);

      spy = failJobs(runExportJob.name);
      const exp = await c.post('/api/v1/exports', { kind: 'organization_zip' });
      expect(exp.statusCode, exp.body).toBe(500);
      spy.mockRestore();
      expect(await q('select id from exports where org_id = $1', [orgId])).toEqual([]);

      const imp = await upload(owner, 'queue.csv', 'email,first name\nq@queue-import.test,Q\n');
      spy = failJobs('imports.run');
      const start = await c.post(`/api/v1/imports/${imp.id}/start`, {
        mapping: imp.suggestedMapping,
        duplicatePolicy: 'create_update',
        dryRun: false,
      });
      expect(start.statusCode, start.body).toBe(500);
      spy.mockRestore();
      expect((await c.get(`/api/v1/imports/${imp.id}`)).json().status).toBe('uploaded');
      // With the queue back, the same requests work.
      const again = await c.post(`/api/v1/imports/${imp.id}/start`, {
        mapping: imp.suggestedMapping,
        duplicatePolicy: 'create_update',
        dryRun: false,
      });
      expect(again.statusCode, again.body).toBe(200);
      expect((await imported(c, imp.id)).status).toBe('done');
      const bulk2 = await c.post('/api/v1/contacts/bulk', {
        selection: { filter: { field: 'email', op: 'contains', value: '@queue.test' } },
        action: { type: 'add_tags', tags: ['now'] },
      });
      expect(bulk2.statusCode, bulk2.body).toBe(202);
      expect((await operation(c, bulk2.json().operationId)).status).toBe('done');
    });

    it('recoverStuckWork re-enqueues a queued export and bulk operation whose pg-boss job was lost; both complete', async () => {
      const { orgId, c } = await org();
      await insertMany(orgId, 2_050, 'lost.test');
      const held = holdJobs(runExportJob.name, bulkJob.name);
      const exp = await c.post('/api/v1/exports', { kind: 'organization_zip' });
      expect(exp.statusCode, exp.body).toBe(202);
      const exportId = exp.json().id as string;
      const bulk = await c.post('/api/v1/contacts/bulk', {
        selection: { filter: { field: 'email', op: 'contains', value: '@lost.test' } },
        action: { type: 'add_tags', tags: ['recovered'] },
      });
      expect(bulk.statusCode, bulk.body).toBe(202);
      const opId = bulk.json().operationId as string;

      // The jobs are lost (a purged queue, a restore …): the rows still say "queued".
      await q(`delete from pgboss.job where name = $1 and data ->> 'exportId' = $2`, [
        runExportJob.name,
        exportId,
      ]);
      await q(`delete from pgboss.job where name = $1 and data ->> 'operationId' = $2`, [bulkJob.name, opId]);
      await held.release();
      expect((await c.get(`/api/v1/exports/${exportId}`)).json().status).toBe('queued');
      expect((await c.get(`/api/v1/bulk-operations/${opId}`)).json().status).toBe('queued');

      const { recoverStuckWork } = await import('../../system/recovery.js');
      const recovered = await recoverStuckWork(
        server.runtime.database.db,
        server.runtime.jobs,
        [
          { table: 'exports', job: runExportJob as never, key: 'exportId' },
          { table: 'bulk_operations', job: bulkJob as never, key: 'operationId' },
        ],
        0,
      );
      expect(recovered.requeued).toBeGreaterThanOrEqual(2);
      expect((await exported(c, exportId)).status).toBe('done');
      expect(await operation(c, opId)).toMatchObject({ status: 'done', done: 2_050 });
      // Nothing is stuck any more: a second pass finds nothing of this organisation to re-enqueue.
      const [stuck] = await q<{ n: number }>(
        `select (select count(*) from exports where org_id = $1 and status in ('queued','running'))::int
          + (select count(*) from bulk_operations where org_id = $1 and status in ('queued','running'))::int as n`,
        [orgId],
      );
      expect(stuck!.n).toBe(0);
    });
  });

  // ------------------------------------------------------------------ 13. import files are deleted

  describe('import files live only as long as their import needs them', () => {
    it('are deleted when an import is cancelled, fails or completes', async () => {
      const { orgId, owner, c } = await org();
      const file = (id: string) => importFile(server.config.dataDir, orgId, id);
      const csv = `email,first name\nfile-${rand()}@files.test,Fi\n`;

      const cancelled = await upload(owner, 'cancel.csv', csv);
      expect(fs.existsSync(file(cancelled.id))).toBe(true);
      const cancel = await c.post(`/api/v1/imports/${cancelled.id}/cancel`);
      expect(cancel.statusCode, cancel.body).toBe(200);
      expect(cancel.json().status).toBe('cancelled');
      expect(fs.existsSync(file(cancelled.id))).toBe(false);

      const failing = await upload(owner, 'fail.csv', csv);
      // The file goes bad on disk after the upload was checked: the job fails on it.
      fs.writeFileSync(file(failing.id), 'email,first name\n"broken@files.test,Open quote\n');
      const start = await c.post(`/api/v1/imports/${failing.id}/start`, {
        mapping: failing.suggestedMapping,
        duplicatePolicy: 'create_update',
        dryRun: false,
      });
      expect(start.statusCode, start.body).toBe(200);
      expect((await imported(c, failing.id)).status).toBe('failed');
      // The job marks the import finished, then deletes the file: wait for it.
      await expect.poll(() => fs.existsSync(file(failing.id)), { timeout: 10_000 }).toBe(false);

      const completing = await upload(owner, 'done.csv', csv);
      expect(
        (
          await c.post(`/api/v1/imports/${completing.id}/start`, {
            mapping: completing.suggestedMapping,
            duplicatePolicy: 'create_update',
            dryRun: false,
          })
        ).statusCode,
      ).toBe(200);
      expect((await imported(c, completing.id)).status).toBe('done');
      await expect.poll(() => fs.existsSync(file(completing.id)), { timeout: 10_000 }).toBe(false);
    });

    it('purgeAbandonedUploads deletes files of uploads nobody started and of dry runs, not of running imports', async () => {
      const { orgId, owner, c } = await org();
      const file = (id: string) => importFile(server.config.dataDir, orgId, id);
      const csv = `email,first name\npurge-${rand()}@files.test,Pu\n`;
      const abandoned = await upload(owner, 'abandoned.csv', csv);
      const dry = await upload(owner, 'dry.csv', csv);
      expect(
        (
          await c.post(`/api/v1/imports/${dry.id}/start`, {
            mapping: dry.suggestedMapping,
            duplicatePolicy: 'create_update',
            dryRun: true,
          })
        ).statusCode,
      ).toBe(200);
      expect((await imported(c, dry.id)).status).toBe('done');
      expect(fs.existsSync(file(dry.id))).toBe(true); // kept for the real import that may follow

      const live = await upload(owner, 'live.csv', csv);
      const held = holdJobs('imports.run');
      expect(
        (
          await c.post(`/api/v1/imports/${live.id}/start`, {
            mapping: live.suggestedMapping,
            duplicatePolicy: 'create_update',
            dryRun: false,
          })
        ).statusCode,
      ).toBe(200);

      await purgeAbandonedUploads(server.runtime.deps, 0);
      expect(fs.existsSync(file(abandoned.id))).toBe(false);
      expect(fs.existsSync(file(dry.id))).toBe(false);
      expect(fs.existsSync(file(live.id))).toBe(true);
      expect((await c.get(`/api/v1/imports/${abandoned.id}`)).json().status).toBe('cancelled');

      await held.release();
      expect((await imported(c, live.id)).status).toBe('done');
      await expect.poll(() => fs.existsSync(file(live.id)), { timeout: 10_000 }).toBe(false);
    });
  });

  // ------------------------------------------------------------------ 14. other organisations

  it("another organisation cannot merge, delete, lift the restriction of or bulk-edit an organisation's contacts", async () => {
    const a = await org();
    const b = await org();
    const r = rand();
    const a1 = await contact(a.c, { firstName: 'A1', email: `a1-${r}@tenant.test`, tags: ['a'] });
    const a2 = await contact(a.c, { firstName: 'A2', email: `a2-${r}@tenant.test` });
    const locked = await contact(a.c, { firstName: 'AL', email: `al-${r}@tenant.test`, restricted: true });
    const b1 = await contact(b.c, { firstName: 'B1', email: `b1-${r}@tenant.test` });
    const snapshot = async () =>
      q(
        `select (select json_agg(x order by x.id) from (select id, first_name, email, tag_ids, restricted, job_title, updated_at
            from contacts where org_id = $1) x) as contacts,
          (select json_agg(e order by e.id) from (select id, contact_id, type, data from contact_events where org_id = $1) e) as events`,
        [a.orgId],
      );
    const before = await snapshot();

    const single = [
      await b.c.post(`/api/v1/contacts/${a1.id}/merge`, { otherId: a2.id }),
      await b.c.post(`/api/v1/contacts/${b1.id}/merge`, { otherId: a1.id }),
      await b.c.post(`/api/v1/contacts/${a1.id}/merge`, { otherId: b1.id }),
      await b.c.delete(`/api/v1/contacts/${a1.id}`),
      await b.c.patch(`/api/v1/contacts/${locked.id}`, { restricted: false }),
    ];
    for (const res of single) expect(res.statusCode, res.body).toBe(404);

    const actions = [
      { type: 'add_tags', tags: ['pwned'] },
      { type: 'remove_tags', tags: ['a'] },
      { type: 'set_field', field: 'jobTitle', value: 'Pwned' },
      { type: 'set_field', field: 'restricted', value: false },
      { type: 'set_owner', ownerId: null },
      { type: 'delete' },
    ];
    for (const action of actions) {
      const res = await b.c.post('/api/v1/contacts/bulk', {
        selection: { ids: [a1.id, locked.id, b1.id] },
        action,
      });
      expect(res.statusCode, `${action.type}: ${res.body}`).toBe(200);
      expect(res.json().results).toEqual([
        { id: a1.id, status: 'not_found' },
        { id: locked.id, status: 'not_found' },
        { id: b1.id, status: 'ok' },
      ]);
      if (action.type === 'delete') break;
      // The `all` selection of B stays inside B as well.
      const all = await b.c.post('/api/v1/contacts/bulk', { selection: { all: true }, action });
      expect(all.statusCode, all.body).toBe(200);
      expect(all.json().affected).toBeLessThanOrEqual(1);
    }
    expect(await snapshot()).toEqual(before);
    expect((await a.c.get(`/api/v1/contacts/${locked.id}`)).json().restricted).toBe(true);
  });
});
