import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestServer, databaseMissing, type TestServer } from '../../../test/helpers/server.js';
import { waitFor } from '../../../test/helpers/wait.js';
import type { Database } from './db.js';
import { defineJob } from './jobs.js';

/** Gates the test opens: a gated job runs until its gate opens, however long that takes. */
const gates = new Map<string, { opened: Promise<void>; open(): void }>();
function gate(key: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  gates.set(key, { opened, open });
  return open;
}

const gatedJob = defineJob({
  name: 'test.gated',
  schema: z.object({ key: z.string() }),
  queue: { retryLimit: 2, retryDelay: 0 },
  async handler(data, { database }) {
    await gates.get(data.key)?.opened;
    await database.query('insert into test_gated_runs (key) values ($1) on conflict do nothing', [data.key]);
  },
});

const jobState = async (server: TestServer, id: string) =>
  (await server.runtime.database.query<{ state: string }>('select state from pgboss.job where id = $1', [id]))
    .rows[0]?.state;

const waitActive = (server: TestServer, id: string) =>
  waitFor(async () => ((await jobState(server, id)) === 'active' ? true : undefined), {
    what: `job ${id} to become active`,
  });

/**
 * Resolves once pg-boss has written the outcome (completed or failed) of a job whose handler
 * ended: it does so without awaiting it, so the database must stay open until then.
 */
function outcomeWritten(database: Database, jobId: string): Promise<void> {
  const original = database.executeSql;
  return new Promise((resolve) => {
    database.executeSql = async (text, values) => {
      try {
        return await original.call(database, text, values);
      } finally {
        const ids = values?.[1];
        if (Array.isArray(ids) && ids.includes(jobId)) {
          database.executeSql = original;
          resolve();
        }
      }
    };
  });
}

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('graceful shutdown of workers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ workerConcurrency: 1 });
    await server.ownerQuery('create table test_gated_runs (key text primary key)');
  });
  afterAll(async () => {
    await server?.runtime.database.close().catch(() => {});
  });

  it('lets an active job finish before stopping (within the timeout), and marks it completed', async () => {
    const open = gate('finish');
    const id = (await server.runtime.jobs.send(gatedJob, { key: 'finish' }))!;
    await waitActive(server, id);
    const stopped = server.runtime.jobs.stop(60_000);
    open(); // the job ends while stop() waits for it
    await stopped;
    expect(await jobState(server, id)).toBe('completed');
    const { rows } = await server.runtime.database.query('select key from test_gated_runs');
    expect(rows).toEqual([{ key: 'finish' }]);
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('releasing jobs on shutdown', () => {
  let server: TestServer;
  let open: () => void = () => {};
  let written: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    server = await createTestServer({ workerConcurrency: 1 });
    await server.ownerQuery('create table test_gated_runs (key text primary key)');
  });
  afterAll(async () => {
    open(); // the released handler ends; pg-boss then writes its outcome
    await written;
    await server?.runtime.database.close().catch(() => {});
  });

  it('puts a job still running after the timeout back for a retry instead of leaving it active', async () => {
    open = gate('stuck');
    const id = (await server.runtime.jobs.send(gatedJob, { key: 'stuck' }))!;
    await waitActive(server, id);
    await server.runtime.jobs.stop(300);
    expect(await jobState(server, id)).toBe('retry');
    written = outcomeWritten(server.runtime.database, id);
  });
});
