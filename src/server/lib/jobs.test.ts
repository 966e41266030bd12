import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestServer, databaseMissing, type TestServer } from '../../../test/helpers/server.js';
import { defineJob } from './jobs.js';

const gates = new Map<string, Promise<void>>();

/** A job that records its run in a table (idempotently: one row per key). */
const recordJob = defineJob({
  name: 'test.record',
  schema: z.object({ key: z.string(), gate: z.string().optional() }),
  queue: { retryLimit: 3, retryDelay: 1 },
  async handler(data, { database }) {
    if (data.gate) await gates.get(data.gate);
    await database.query('insert into test_job_runs (key) values ($1) on conflict do nothing', [data.key]);
  },
});

describe.skipIf(databaseMissing)('job queue', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ workerConcurrency: 2 });
    await server.runtime.database.query(
      'create table test_job_runs (key text primary key, at timestamptz default now())',
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  const runs = async (prefix: string) =>
    Number(
      (
        await server.runtime.database.query<{ n: number }>(
          'select count(*)::int as n from test_job_runs where key like $1',
          [`${prefix}%`],
        )
      ).rows[0]!.n,
    );

  async function until(check: () => Promise<boolean>, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
    return true;
  }

  it('rejects a payload that does not match the job schema', async () => {
    await expect(server.runtime.jobs.send(recordJob, { key: 42 } as never)).rejects.toThrow();
  });

  it('drains a backlog without waiting a polling interval between jobs', async () => {
    // pg-boss 10's default loop would sleep ~1 s after each fetch: 120 jobs on 2 workers ≈ 60 s.
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => server.runtime.jobs.send(recordJob, { key: `drain-${i}` })),
    );
    expect(await until(async () => (await runs('drain-')) === 120, 20_000)).toBe(true);
  });

  it('a job enqueued while idle starts immediately (no poll wait)', async () => {
    await server.runtime.jobs.send(recordJob, { key: 'idle-1' });
    expect(await until(async () => (await runs('idle-')) === 1, 900)).toBe(true);
  });
});
