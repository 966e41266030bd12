import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestServer, databaseMissing, type TestServer } from '../../../test/helpers/server.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { defineJob } from './jobs.js';

/** Holds every job it is given until the test lets go: the rest of the backlog stays ready. */
let release: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  release = resolve;
});
defineJob({
  name: 'test.deep',
  schema: z.object({ n: z.number() }),
  fetchIndex: true,
  async handler() {
    await gate;
  },
});

/** pg-boss 10's fetch, as its worker sends it (plans.js fetchNextJob, priority on). */
const FETCH = `SELECT id, singleton_key, policy FROM pgboss.job
  WHERE name = $1 AND state < 'active' AND start_after < now()
  ORDER BY priority desc, created_on, id LIMIT $2 FOR UPDATE SKIP LOCKED`;

/**
 * A deep queue (JobDefinition.fetchIndex; automation steps) gets an index in pg-boss's fetch
 * order on its partition, and its statistics are kept fresh by the workers' process: a burst of
 * ready jobs into a queue whose statistics say "nothing is ready" is fetched through that index
 * (about `limit` entries read) instead of reading and sorting the whole backlog on every fetch.
 */
// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('deep job queues', () => {
  let server: TestServer;
  let table: string;
  beforeAll(async () => {
    server = await createTestServer({ workerConcurrency: 1 });
    const { rows } = await server.ownerQuery(
      `select partition_name from pgboss.queue where name = 'test.deep'`,
    );
    table = String(rows[0]!.partition_name);
  });
  afterAll(async () => {
    await server?.ownerQuery(`delete from pgboss.job where name = 'test.deep'`).catch(() => {});
    release();
    await server?.close();
  });

  it("has an index in fetch order on the queue's partition (and the automation steps' too)", async () => {
    const { rows } = await server.ownerQuery(
      `select q.name, i.indexdef from pgboss.queue q join pg_indexes i on i.schemaname = 'pgboss' and i.tablename = q.partition_name
       where q.name = any($1) and i.indexdef like '%(priority DESC, created_on, id)%'`,
      [['test.deep', 'automations.step']],
    );
    expect(rows.map((r) => r.name).sort()).toEqual(['automations.step', 'test.deep']);
    expect(String(rows[0]!.indexdef)).toMatch(/WHERE \(state < 'active'::pgboss\.job_state\)$/);
  });

  it('a burst of 20,000 ready jobs after the statistics saw none: analyzed by the workers, fetched by the index', async () => {
    // Statistics of the queue at rest: nothing ready. Autovacuum stays off this partition, so
    // only the workers' process can bring its statistics up to date.
    await server.ownerQuery(`alter table pgboss.${table} set (autovacuum_enabled = false)`);
    await server.ownerQuery(`analyze pgboss.${table}`);
    const readyInStatistics = async () =>
      (
        await server.ownerQuery(
          `select coalesce((select most_common_vals::text from pg_stats where schemaname = 'pgboss' and tablename = $1
             and attname = 'state'), '') as mcv`,
          [table],
        )
      ).rows[0]!.mcv as string;
    expect(await readyInStatistics()).not.toMatch(/created/);
    await server.ownerQuery(
      `insert into pgboss.job (name, data, priority) select 'test.deep', jsonb_build_object('n', g), -(g / 100)
       from generate_series(1, 20000) g`,
    );
    await waitFor(async () => /created/.test(await readyInStatistics()) || undefined, {
      what: "the workers' process to analyze the queue's partition",
    });
    const { rows } = await server.ownerQuery(`explain ${FETCH}`, ['test.deep', 50]);
    const plan = rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    expect(plan).toMatch(new RegExp(`Index Scan using ${table}_mf `));
    expect(plan).not.toMatch(/Sort/);
  });
});
