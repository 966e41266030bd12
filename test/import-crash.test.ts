import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverStaleImports } from '../src/server/modules/imports/imports.jobs.js';
import { client, createOrg } from './helpers/factories.js';
import { multipartFile } from './helpers/multipart.js';
import { createTestServer, databaseMissing, type TestServer, usingPglite } from './helpers/server.js';

/**
 * A worker process is killed (SIGKILL) in the middle of an import; after a restart the import
 * resumes from its last committed batch: every row exactly once, nothing stuck in "running".
 */
// Skipped on PGlite: the crash is a killed *separate* worker process, which needs PostgreSQL
// (an embedded database lives and dies with its one process); skipped without PostgreSQL.
describe.skipIf(databaseMissing || usingPglite)('import crash and resume', () => {
  let server: TestServer;
  const children: ChildProcess[] = [];
  const ROWS = 60_000;

  beforeAll(async () => {
    server = await createTestServer();
    await server.runtime.jobs.stop(1000); // only the child workers run jobs in this test
  });
  afterAll(async () => {
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    await server?.close();
  });

  async function workerUrl() {
    const { rows } = await server.runtime.database.query<{ db: string }>('select current_database() as db');
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = `/${rows[0]!.db}`;
    return url.toString();
  }

  async function startWorker() {
    const root = path.resolve(import.meta.dirname, '..');
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/server/cli.ts'), 'worker'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: await workerUrl(),
          MOXORA_DATA_DIR: server.config.dataDir,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(child);
    return child;
  }

  const state = async (id: string) =>
    (
      await server.runtime.database.query<{
        status: string;
        rows_done: number;
        created_count: number;
        updated_count: number;
      }>('select status, rows_done, created_count, updated_count from imports where id = $1', [id])
    ).rows[0]!;

  it('resumes after SIGKILL with exact counts', { timeout: 120_000 }, async () => {
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

    const first = await startWorker();
    const deadline = Date.now() + 60_000;
    let s = await state(imp.id);
    while (!(s.rows_done > 0 && s.rows_done < ROWS) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      s = await state(imp.id);
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.on('exit', r));
    const atKill = await state(imp.id);
    expect(atKill.status).toBe('running');
    expect(atKill.rows_done).toBeGreaterThan(0);
    expect(atKill.rows_done).toBeLessThan(ROWS);

    // Restart: the recovery sweep hands the stale import to a live worker.
    expect(
      await recoverStaleImports({ database: server.runtime.database, jobs: server.runtime.jobs }, 0),
    ).toBe(1);
    const second = await startWorker();
    const deadline2 = Date.now() + 90_000;
    s = await state(imp.id);
    while (s.status !== 'done' && Date.now() < deadline2) {
      await new Promise((r) => setTimeout(r, 100));
      s = await state(imp.id);
    }

    expect(s).toMatchObject({ status: 'done', rows_done: ROWS, created_count: ROWS, updated_count: 0 });
    const counts = (
      await server.runtime.database.query<{ contacts: number; created: number; updated: number }>(
        `select (select count(*)::int from contacts where org_id = $1) as contacts,
                (select count(*)::int from contact_events where org_id = $1 and type = 'contact.created') as created,
                (select count(*)::int from contact_events where org_id = $1 and type = 'contact.updated') as updated`,
        [org.orgId],
      )
    ).rows[0]!;
    expect(counts).toEqual({ contacts: ROWS, created: ROWS, updated: 0 });
    second.kill('SIGTERM');
    await new Promise((r) => second.on('exit', r));
  });
});
