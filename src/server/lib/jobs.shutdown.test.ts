import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestServer, databaseMissing, type TestServer } from '../../../test/helpers/server.js';
import { defineJob } from './jobs.js';

let release: () => void = () => {};

const slowJob = defineJob({
  name: 'test.slow',
  schema: z.object({ key: z.string(), ms: z.number() }),
  queue: { retryLimit: 2, retryDelay: 0 },
  async handler(data, { database }) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, data.ms);
      release = () => {
        clearTimeout(t);
        resolve();
      };
    });
    await database.query('insert into test_slow_runs (key) values ($1) on conflict do nothing', [data.key]);
  },
});

describe.skipIf(databaseMissing)('graceful shutdown of workers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ workerConcurrency: 1 });
    await server.runtime.database.query('create table test_slow_runs (key text primary key)');
  });
  afterAll(async () => {
    await server?.runtime.database.close().catch(() => {});
  });

  const state = async (id: string) =>
    (
      await server.runtime.database.query<{ state: string }>('select state from pgboss.job where id = $1', [
        id,
      ])
    ).rows[0]?.state;

  it('finishes an active job before stopping, and releases one that outlives the timeout', async () => {
    const finishing = (await server.runtime.jobs.send(slowJob, { key: 'finish', ms: 400 }))!;
    const deadline = Date.now() + 5000;
    while ((await state(finishing)) !== 'active' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await state(finishing)).toBe('active');
    await server.runtime.jobs.stop(5_000);
    expect(await state(finishing)).toBe('completed');
    const { rows } = await server.runtime.database.query('select key from test_slow_runs');
    expect(rows).toEqual([{ key: 'finish' }]);
  });
});

describe.skipIf(databaseMissing)('releasing jobs on shutdown', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ workerConcurrency: 1 });
    await server.runtime.database.query('create table test_slow_runs (key text primary key)');
  });
  afterAll(async () => {
    release();
    await new Promise((r) => setTimeout(r, 300)); // let the released handler settle before the pool closes
    await server?.runtime.database.close().catch(() => {});
  });

  it('puts a job still running after the timeout back for a retry instead of leaving it active', async () => {
    const stuck = (await server.runtime.jobs.send(slowJob, { key: 'stuck', ms: 60_000 }))!;
    const q = async () =>
      (
        await server.runtime.database.query<{ state: string }>('select state from pgboss.job where id = $1', [
          stuck,
        ])
      ).rows[0]?.state;
    const deadline = Date.now() + 5000;
    while ((await q()) !== 'active' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await q()).toBe('active');
    await server.runtime.jobs.stop(300);
    expect(await q()).toBe('retry');
  });
});
