import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recoverStaleImports } from '../src/server/modules/imports/imports.jobs.js';
import { client, createOrg } from './helpers/factories.js';
import { multipartFile } from './helpers/multipart.js';
import {
  PROCESS_DEADLINE_MS,
  PROCESS_TEST_TIMEOUT_MS,
  startMoxora,
  stopAllProcesses,
} from './helpers/process.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

/**
 * A worker process is killed (SIGKILL) in the middle of an import; after a restart the import
 * resumes from its last committed batch: every row exactly once, nothing stuck in "running".
 */
describe.skipIf(databaseMissing)('import crash and resume', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let server: TestServer;
  const ROWS = 20_000;
  // Small batches: the import is in the middle (some batches committed, more to come) for most
  // of its run, so the test can stop it there however fast or slow this machine is.
  const BATCH_ROWS = 1_000;

  beforeAll(async () => {
    server = await createTestServer();
    await server.runtime.jobs.stop(1000); // only the child workers run jobs in this test
  });
  afterEach(stopAllProcesses);
  afterAll(async () => {
    await server?.close();
  });

  const startWorker = () =>
    startMoxora('cli', ['worker'], {
      DATABASE_URL: server.databaseUrl!,
      MOXORA_DATA_DIR: server.config.dataDir,
      IMPORT_BATCH_ROWS: String(BATCH_ROWS),
    });

  const state = async (id: string) =>
    (
      await server.runtime.database.query<{
        status: string;
        rows_done: number;
        created_count: number;
        updated_count: number;
      }>('select status, rows_done, created_count, updated_count from imports where id = $1', [id])
    ).rows[0]!;

  it('resumes after its worker is SIGKILLed mid-import: every row exactly once', async () => {
    const org = await createOrg(server);
    const lines = ['email,first name,last name'];
    for (let i = 0; i < ROWS; i++) lines.push(`person${i}@crash.test,First${i},Last${i}`);
    const { payload, headers } = multipartFile('big.csv', `${lines.join('\n')}\n`);
    const up = await server.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      payload,
      headers: { ...headers, cookie: org.owner.cookie, origin: server.origin },
    });
    expect(up.statusCode, up.body).toBe(201);
    const imp = up.json();
    await client(server, org.owner).post(`/api/v1/imports/${imp.id}/start`, {
      mapping: imp.suggestedMapping,
    });

    const first = startWorker();
    await waitFor(
      async () => {
        const s = await state(imp.id);
        return s.rows_done > 0 ? s : undefined;
      },
      {
        what: 'the first worker to commit a batch',
        timeoutMs: PROCESS_DEADLINE_MS,
        intervalMs: 10,
        abortIf: () => (first.child.exitCode === null ? undefined : `it exited: ${first.stderr()}`),
      },
    );
    await first.stop('SIGKILL');
    const atKill = await state(imp.id);
    expect(atKill.status).toBe('running');
    expect(atKill.rows_done).toBeGreaterThan(0);
    expect(atKill.rows_done).toBeLessThan(ROWS);

    // Restart: the recovery sweep hands the stale import to a live worker.
    expect(
      await recoverStaleImports({ database: server.runtime.database, jobs: server.runtime.jobs }, 0),
    ).toBe(1);
    const second = startWorker();
    const done = await waitFor(
      async () => {
        const s = await state(imp.id);
        return s.status === 'running' ? undefined : s;
      },
      {
        what: 'the second worker to finish the import',
        timeoutMs: PROCESS_DEADLINE_MS,
        intervalMs: 100,
        abortIf: () => (second.child.exitCode === null ? undefined : `it exited: ${second.stderr()}`),
      },
    );
    expect(done).toMatchObject({ status: 'done', rows_done: ROWS, created_count: ROWS, updated_count: 0 });
    const counts = (
      await server.runtime.database.query<{ contacts: number; created: number; updated: number }>(
        `select (select count(*)::int from contacts where org_id = $1) as contacts,
                (select count(*)::int from contact_events where org_id = $1 and type = 'contact.created') as created,
                (select count(*)::int from contact_events where org_id = $1 and type = 'contact.updated') as updated`,
        [org.orgId],
      )
    ).rows[0]!;
    expect(counts).toEqual({ contacts: ROWS, created: ROWS, updated: 0 });
    expect(await second.stop('SIGTERM'), second.stderr()).toBe(0);
  });
});
