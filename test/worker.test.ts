import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMailJob } from '../src/server/modules/mail/mail.jobs.js';
import { createTestServer, databaseMissing, type TestServer, usingPglite } from './helpers/server.js';

/** `moxora worker` as a separate process on the same PostgreSQL database (production scale-out). */
// Skipped on PGlite: a separate worker process needs DATABASE_URL (PGlite's folder belongs to one
// process, by design), and skipped when no PostgreSQL is reachable on a developer machine.
describe.skipIf(databaseMissing || usingPglite)('separate worker process', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
    await server.runtime.jobs.stop(1000); // this process only enqueues from now on
  });
  afterAll(async () => {
    await server?.close();
  });

  it('drains jobs enqueued by the API process and stops cleanly on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-worker-'));
    const { rows } = await server.runtime.database.query<{ db: string }>('select current_database() as db');
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = `/${rows[0]!.db}`;
    const root = path.resolve(import.meta.dirname, '..');
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/server/cli.ts'), 'worker'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: url.toString(),
          MOXORA_DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += String(d);
    });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      await server.runtime.jobs.send(sendMailJob, {
        to: 'w@example.com',
        subject: 'From the worker',
        text: 'hi',
        kind: 'test',
      });
      const outbox = path.join(dataDir, 'outbox');
      const deadline = Date.now() + 45_000;
      while (
        Date.now() < deadline &&
        !(fs.existsSync(outbox) && fs.readdirSync(outbox).some((f) => f.endsWith('.eml')))
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const files = fs.readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      expect(files, stderr).toHaveLength(1);
      expect(fs.readFileSync(path.join(outbox, files[0]!), 'utf8')).toContain('Subject: From the worker');
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start without DATABASE_URL', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/server/cli.ts'), 'worker'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += String(d);
    });
    expect(await new Promise((r) => child.on('exit', r))).toBe(1);
    expect(stderr).toContain('DATABASE_URL is required');
  });
});
