import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LEAKPROOF_FUNCTIONS, markLeakproof, prepareRuntimeRoles } from '../src/server/lib/db-roles.js';
import { databaseMissing } from './helpers/server.js';

/**
 * The LEAKPROOF marks that keep indexes usable under row-level security (decision 012): a
 * superuser owner sets them in its own database only; an owner that is not a superuser changes
 * nothing, is told which functions a superuser has to mark, and the start goes on with a warning.
 * Skips without PostgreSQL for the run.
 */
// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing): it needs a
// server to create databases and a role on.
describe.skipIf(databaseMissing)('LEAKPROOF marks for the policies', () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `moxora_nosuper_${suffix}`;
  const created: string[] = [];
  /** A database made from template0: the built-in functions as PostgreSQL ships them. */
  const freshDb = async () => {
    const name = `moxora_leakproof_${randomBytes(4).toString('hex')}`;
    const c = admin();
    await c.connect();
    await c.query(`create database ${name} template template0`);
    await c.end();
    created.push(name);
    return name;
  };
  const urlOf = (dbName: string, user?: string) => {
    const u = new URL(inject('pgAdminUrl'));
    u.pathname = `/${dbName}`;
    if (user) {
      u.username = user;
      u.password = 'probe-password';
    }
    return u.toString();
  };
  const admin = () => new pg.Client({ connectionString: inject('pgAdminUrl') });
  const leakproof = async (c: pg.Client) =>
    (
      await c.query<{ f: string; lp: boolean }>(
        'select f, (select proleakproof from pg_proc where oid = f::regprocedure) as lp from unnest($1::text[]) f',
        [[...LEAKPROOF_FUNCTIONS]],
      )
    ).rows;

  beforeAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`create role ${role} login password 'probe-password' nosuperuser`);
    await c.end();
  });
  afterAll(async () => {
    const c = admin();
    await c.connect();
    for (const name of created) await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`drop role if exists ${role}`);
    await c.end();
  });

  it('an owner that is not a superuser changes nothing and names every function still to mark', async () => {
    const c = new pg.Client({ connectionString: urlOf(await freshDb(), role) });
    await c.connect();
    try {
      // As PostgreSQL ships them, all but md5 are not LEAKPROOF.
      const before = await leakproof(c);
      const unmarked = before.filter((r) => !r.lp).map((r) => r.f);
      expect(unmarked).toHaveLength(LEAKPROOF_FUNCTIONS.length - 1);
      expect(await markLeakproof(c)).toEqual(unmarked);
      expect(await leakproof(c)).toEqual(before);
    } finally {
      await c.end();
    }
  });

  it('prepareRuntimeRoles warns with the statements to run when it cannot mark them', async () => {
    const c = new pg.Client({ connectionString: urlOf(await freshDb(), role) });
    await c.connect();
    const warnings: string[] = [];
    try {
      // Only the last step matters here: the rest of the preparation needs rights this role
      // lacks, so the function is given an owner whose other statements are skipped.
      const owner = {
        query: (text: string, values?: unknown[]) =>
          /leakproof|proleakproof/.test(text)
            ? c.query(text, values)
            : Promise.resolve({ rows: [{ ok: true }] as Record<string, unknown>[] }),
      };
      const passwords = { moxora_app: 'x', moxora_worker: 'y' };
      await prepareRuntimeRoles(owner, urlOf('postgres', role), passwords, (m) => warnings.push(m));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('ALTER FUNCTION pg_catalog.ts_match_vq(tsvector,tsquery) LEAKPROOF;');
      expect(warnings[0]).toContain('not a superuser');
    } finally {
      await c.end();
    }
  });

  it('a superuser owner marks them all, in its own database only, and a second start is a no-op', async () => {
    const c = new pg.Client({ connectionString: urlOf(await freshDb()) });
    await c.connect();
    try {
      expect(await markLeakproof(c)).toEqual([]);
      expect((await leakproof(c)).filter((r) => !r.lp)).toEqual([]);
      expect(await markLeakproof(c)).toEqual([]);
    } finally {
      await c.end();
    }
    // Another database of the same server keeps PostgreSQL's own marks.
    const o = new pg.Client({ connectionString: urlOf(await freshDb()) });
    await o.connect();
    try {
      expect((await leakproof(o)).filter((r) => r.lp).map((r) => r.f)).toEqual(['pg_catalog.md5(text)']);
    } finally {
      await o.end();
    }
  });
});
