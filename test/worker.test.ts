import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendMailJob } from '../src/server/modules/mail/mail.jobs.js';
import {
  PROCESS_DEADLINE_MS,
  PROCESS_TEST_TIMEOUT_MS,
  startMoxora,
  stopAllProcesses,
} from './helpers/process.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

/** `moxora worker` as a separate process on the same PostgreSQL database (production scale-out). */
describe.skipIf(databaseMissing)('separate worker process', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let server: TestServer;
  const dataDirs: string[] = [];
  beforeAll(async () => {
    server = await createTestServer();
    await server.runtime.jobs.stop(1000); // this process only enqueues from now on
  });
  afterEach(async () => {
    await stopAllProcesses();
    for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('delivers a mail job enqueued by the API process, then stops with exit code 0 on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-worker-'));
    dataDirs.push(dataDir);
    const worker = startMoxora('cli', ['worker'], {
      DATABASE_URL: server.databaseUrl!,
      MOXORA_DATA_DIR: dataDir,
    });
    await server.runtime.jobs.send(sendMailJob, {
      to: 'w@example.com',
      subject: 'From the worker',
      text: 'hi',
      kind: 'test',
    });
    const outbox = path.join(dataDir, 'outbox');
    const files = await waitFor(
      () => {
        const eml = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')) : [];
        return eml.length > 0 ? eml : undefined;
      },
      {
        what: 'the worker to write the mail to its outbox',
        timeoutMs: PROCESS_DEADLINE_MS,
        abortIf: () => (worker.child.exitCode === null ? undefined : `the worker exited: ${worker.stderr()}`),
      },
    );
    expect(files, worker.stderr()).toHaveLength(1);
    expect(fs.readFileSync(path.join(outbox, files[0]!), 'utf8')).toContain('Subject: From the worker');
    expect(await worker.stop('SIGTERM'), worker.stderr()).toBe(0);
  });

  it('without DATABASE_URL runs on an embedded PostgreSQL of its own, and stops it on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-worker-embedded-'));
    dataDirs.push(dataDir);
    const worker = startMoxora('cli', ['worker'], { MOXORA_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    await waitFor(() => (worker.stdout().includes('worker started') ? true : undefined), {
      what: 'the worker to start',
      timeoutMs: PROCESS_DEADLINE_MS,
      abortIf: () => (worker.child.exitCode === null ? undefined : `the worker exited: ${worker.stderr()}`),
    });
    const postmaster = Number.parseInt(fs.readFileSync(path.join(dataDir, 'pg/postmaster.pid'), 'utf8'), 10);
    expect(await worker.stop('SIGTERM'), worker.stderr()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'pg/postmaster.pid'))).toBe(false);
    expect(() => process.kill(postmaster, 0)).toThrow(); // PostgreSQL stopped with it
  });
});
