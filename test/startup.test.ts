import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import {
  freePort,
  PROCESS_DEADLINE_MS,
  PROCESS_TEST_TIMEOUT_MS,
  startMoxora,
  stopAllProcesses,
} from './helpers/process.js';

/** Start-up behaviour of the real `npm start` entry point (src/server/main.ts), in child processes. */
const start = (env: Record<string, string>, via?: 'tsx') => startMoxora('main', [], env, { via });

const tmpDirs: string[] = [];
function tmpDir(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

afterEach(async () => {
  await stopAllProcesses();
  for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function signUp(port: number, email: string) {
  return fetch(`http://127.0.0.1:${port}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: `http://localhost:${port}` },
    body: JSON.stringify({ name: email, email, password: 'password 123', ageConfirmed: true }),
  });
}

// Skipped in the PGlite pass (TEST_DB=pglite): these tests spawn `npm start` on its own embedded
// database whatever TEST_DB says, so running them twice would test the same thing twice.
describe.skipIf(process.env.TEST_DB === 'pglite')(
  'start-up (embedded database; runs once, in the PostgreSQL pass)',
  { timeout: PROCESS_TEST_TIMEOUT_MS },
  () => {
    // A data folder as a first start leaves it (database created and migrated, queue schema
    // installed), copied by the tests that are not about the first start: creating one costs
    // most of a start-up (16 s on a busy 2-core machine, against 3 s to open one).
    let initialised: string;
    beforeAll(async () => {
      initialised = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-initialised-'));
      const runtime = await createRuntime(loadConfig({ MOXORA_DATA_DIR: initialised, LOG_LEVEL: 'silent' }));
      await runtime.close();
    }, PROCESS_DEADLINE_MS);
    afterAll(() => {
      if (initialised) fs.rmSync(initialised, { recursive: true, force: true });
    });
    const initialisedCopy = (prefix: string) => {
      const dir = tmpDir(prefix);
      fs.cpSync(initialised, dir, { recursive: true });
      return dir;
    };

    it.each([
      ['not a url', 'DATABASE_URL is not a valid URL'],
      ['mysql://root@localhost/db', 'DATABASE_URL must start with postgres://'],
      ['postgres://localhost', 'DATABASE_URL names no database'],
    ])('stops on a malformed DATABASE_URL (%s) with one clear line', async (url, expected) => {
      const p = start({ DATABASE_URL: url, PORT: String(await freePort()) });
      expect(await p.waitForExit()).toBe(1);
      const lines = p.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(expected);
    });

    it('stops on a PORT that is not a number with one line naming PORT, through tsx as `npm start` runs it', async () => {
      const bad = start({ PORT: 'eighty' }, 'tsx');
      expect(await bad.waitForExit()).toBe(1);
      expect(bad.stderr()).toMatch(/^moxora: Invalid configuration: PORT/);
    });

    it('stops with one line naming PORT when the port is already in use', async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
      try {
        const port = (blocker.address() as net.AddressInfo).port;
        const p = start({ PORT: String(port), MOXORA_DATA_DIR: initialisedCopy('moxora-port-') });
        expect(await p.waitForExit()).toBe(1);
        expect(p.stderr().trim()).toBe(
          `moxora: PORT ${port} is already in use: stop the other process or set PORT`,
        );
      } finally {
        blocker.close();
      }
    });

    it('starts on an empty data folder, refuses a second process on it, and the folder stays usable', async () => {
      const dir = tmpDir('moxora-lock-');
      const port1 = await freePort();
      const first = start({ PORT: String(port1), MOXORA_DATA_DIR: dir });
      expect((await first.waitHealthy(port1)).database.kind).toBe('pglite');
      expect((await signUp(port1, 'lock@example.com')).status).toBe(200);

      const second = start({ PORT: String(await freePort()), MOXORA_DATA_DIR: dir });
      expect(await second.waitForExit()).toBe(1);
      expect(second.stderr()).toContain('is in use by another Moxora process');

      // The first process is unharmed and still writes.
      expect((await fetch(`http://127.0.0.1:${port1}/api/health`)).status).toBe(200);
      expect((await signUp(port1, 'lock2@example.com')).status).toBe(200);
      expect(await first.stop('SIGTERM')).toBe(0);
      expect(fs.existsSync(path.join(dir, 'moxora.lock'))).toBe(false);

      // The folder opens cleanly afterwards, with both users in it.
      const db = new PGlite(path.join(dir, 'pgdata'));
      try {
        const { rows } = await db.query<{ email: string }>('select email from users order by email');
        expect(rows.map((r) => r.email)).toEqual(['lock2@example.com', 'lock@example.com']);
      } finally {
        await db.close();
      }
    });

    it('takes over a lock left by a process that died', async () => {
      const dir = initialisedCopy('moxora-stale-');
      fs.writeFileSync(path.join(dir, 'moxora.lock'), '999999'); // no such pid
      const port = await freePort();
      const p = start({ PORT: String(port), MOXORA_DATA_DIR: dir });
      await p.waitHealthy(port);
      const owner = Number(fs.readFileSync(path.join(dir, 'moxora.lock'), 'utf8'));
      expect(owner).toBe(p.child.pid); // the new server holds it
      expect(await p.stop('SIGTERM')).toBe(0);
    });
  },
);
