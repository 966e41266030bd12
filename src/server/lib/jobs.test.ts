import timers from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestServer, databaseMissing, type TestServer } from '../../../test/helpers/server.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { defineJob, registeredJobs } from './jobs.js';

/** A job that records its run in a table (idempotently: one row per key). */
const recordJob = defineJob({
  name: 'test.record',
  schema: z.object({ key: z.string() }),
  queue: { retryLimit: 3, retryDelay: 1 },
  async handler(data, { database }) {
    await database.query('insert into test_job_runs (key) values ($1) on conflict do nothing', [data.key]);
  },
});

/**
 * Parks the queue's workers: the wait between two fetches of a worker (pg-boss waits out its
 * polling interval with node:timers/promises, from its worker loop) never ends by itself, only
 * when the worker is notified (notifyWorker aborts it). A job that still runs while this is on
 * was fetched because the queue notified a worker, never because a poll came round: the tests
 * check that without measuring time.
 */
function parkWorkerPolls() {
  const original = timers.setTimeout;
  let parked = 0;
  timers.setTimeout = ((ms?: number, value?: unknown, options?: { signal?: AbortSignal }) => {
    // Our workers poll every second (lib/jobs.ts); pg-boss's own cron worker, every 5 s, keeps its timer.
    const ourPoll = (ms ?? 0) <= 1000 && new Error().stack?.includes('pg-boss/src/worker.js');
    if (!ourPoll) return original(ms, value, options);
    parked++;
    return new Promise((_resolve, reject) => {
      options?.signal?.addEventListener(
        'abort',
        () => {
          parked--;
          reject(options.signal!.reason);
        },
        { once: true },
      );
    });
  }) as typeof timers.setTimeout;
  return {
    /** How many workers wait, right now, for a notification. */
    parked: () => parked,
    restore() {
      timers.setTimeout = original;
    },
  };
}

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('job queue', () => {
  const CONCURRENCY = 2;
  let server: TestServer;
  let polls: ReturnType<typeof parkWorkerPolls>;
  beforeAll(async () => {
    polls = parkWorkerPolls(); // before the workers start: every poll wait of theirs is parked
    server = await createTestServer({ workerConcurrency: CONCURRENCY });
    await server.ownerQuery(
      'create table test_job_runs (key text primary key, at timestamptz default now())',
    );
  });
  afterAll(async () => {
    await server?.close();
    polls?.restore();
  });

  const runs = async (prefix: string) =>
    (
      await server.runtime.database.query<{ n: number }>(
        'select count(*)::int as n from test_job_runs where key like $1',
        [`${prefix}%`],
      )
    ).rows[0]!.n;

  /** Every worker of every queue is idle, waiting for a notification (none is busy or polling). */
  async function allWorkersParked() {
    const workers = registeredJobs().length * CONCURRENCY;
    await waitFor(() => (polls.parked() === workers ? true : undefined), {
      what: `all ${workers} workers to wait for a notification (${polls.parked()} do)`,
    });
  }

  it('rejects a payload that does not match the job schema', async () => {
    await expect(server.runtime.jobs.send(recordJob, { key: 42 } as never)).rejects.toThrow();
  });

  it('drains a backlog by fetching again after each job, never waiting for a poll', async () => {
    // pg-boss 10's own loop waits a polling interval after every fetch: with polls parked, a
    // backlog only drains if each finished job makes its worker fetch again at once.
    await allWorkersParked();
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => server.runtime.jobs.send(recordJob, { key: `drain-${i}` })),
    );
    await waitFor(async () => ((await runs('drain-')) === 120 ? true : undefined), {
      what: 'the 120 jobs to run',
    });
  });

  it('starts a job sent to idle workers at once: send wakes them, no poll needed', async () => {
    await allWorkersParked();
    await server.runtime.jobs.send(recordJob, { key: 'idle-1' });
    await waitFor(async () => ((await runs('idle-')) === 1 ? true : undefined), { what: 'the job to run' });
  });
});
