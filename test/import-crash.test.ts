import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recoverStaleImports } from '../src/server/modules/imports/imports.jobs.js';
import { client, createOrg } from './helpers/factories.js';
import {
  crashImportCsv,
  expectImportedExactlyOnce,
  importState,
  waitForEveryWriter,
} from './helpers/import-crash.js';
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
 * A worker process is killed (SIGKILL) in the middle of an import, while both of its writers
 * (partitions of the rows, imports.run.ts) have batches committed and more to come; after a
 * restart the import resumes from each partition's last committed batch: every row exactly once
 * (rows without an email, which no unique key protects, too), a repeated email's later row wins,
 * the counts are exact, nothing stuck in "running".
 */
// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
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

  const state = (id: string) => importState(server.runtime.database, id);

  it('resumes after its worker is SIGKILLed mid-import: every row exactly once', async () => {
    const org = await createOrg(server);
    const file = crashImportCsv(ROWS);
    const { payload, headers } = multipartFile('big.csv', file.csv);
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
    await waitForEveryWriter(server.runtime.database, imp.id, {
      timeoutMs: PROCESS_DEADLINE_MS,
      abortIf: () => (first.child.exitCode === null ? undefined : `it exited: ${first.stderr()}`),
    });
    await first.stop('SIGKILL');
    const atKill = await state(imp.id);
    expect(atKill.status).toBe('running');
    expect(atKill.parts_done).toHaveLength(2); // two writers on PostgreSQL
    expect(atKill.parts_done!.every((n) => n > 0)).toBe(true);
    expect(atKill.rows_done).toBe(atKill.parts_done!.reduce((a, b) => a + b, 0));
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
    expect(done.status, JSON.stringify(done)).toBe('done');
    await expectImportedExactlyOnce(server.runtime.database, org.orgId, imp.id, file.expected);
    expect(await second.stop('SIGTERM'), second.stderr()).toBe(0);
  });
});
