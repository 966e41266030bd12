import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import {
  embeddedPostgresPid,
  freePort,
  killEmbeddedPostgres,
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

/** Emails of the users in the embedded PostgreSQL of `dir` (which must be running). */
async function usersIn(dir: string): Promise<string[]> {
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'embedded-postgres.json'), 'utf8')) as {
    port: number;
    password: string;
  };
  const client = new pg.Client({
    host: '127.0.0.1',
    port: creds.port,
    user: 'postgres',
    password: creds.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ email: string }>('select email from users order by email');
    return rows.map((r) => r.email);
  } finally {
    await client.end();
  }
}

// These tests start `npm start` without DATABASE_URL: on the embedded PostgreSQL of a data folder.
describe('start-up (embedded PostgreSQL)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
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
    // Node 22+ `fs.cpSync` creates folders with the default mode (0755), where Node 20 kept the
    // source's: PostgreSQL refuses a data directory that is not 0700 or 0750, so copy the modes.
    for (const rel of ['', ...(fs.readdirSync(initialised, { recursive: true }) as string[])]) {
      const st = fs.lstatSync(path.join(initialised, rel));
      if (st.isDirectory()) fs.chmodSync(path.join(dir, rel), st.mode & 0o7777);
    }
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

  it('stops on a PORT that is not a number with one line naming PORT, through tsx as `npm run dev` runs it', async () => {
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

  it('initialises the embedded PostgreSQL on an empty folder, lets a CLI process use it, and reuses it on the next start', async () => {
    const dir = tmpDir('moxora-embedded-');
    const port1 = await freePort();
    const first = start({ PORT: String(port1), MOXORA_DATA_DIR: dir, LOG_LEVEL: 'info' });
    expect((await first.waitHealthy(port1)).database.kind).toBe('embedded');
    expect(first.stdout()).toContain('initialising the embedded PostgreSQL');
    // The generated password is readable by its owner only.
    expect(fs.statSync(path.join(dir, 'embedded-postgres.json')).mode & 0o777).toBe(0o600);
    expect((await signUp(port1, 'first@example.com')).status).toBe(200);
    const postmaster = embeddedPostgresPid(dir);
    expect(postmaster).not.toBeNull();

    // A second process on the folder connects to the running server rather than starting one.
    const health = startMoxora('cli', ['health'], { MOXORA_DATA_DIR: dir });
    expect(await health.waitForExit(), health.stderr()).toBe(0);
    expect(JSON.parse(health.stdout())).toMatchObject({ database: 'embedded' });
    expect(embeddedPostgresPid(dir)).toBe(postmaster); // and leaves it running
    expect((await signUp(port1, 'second@example.com')).status).toBe(200);

    // SIGTERM stops the app, then its PostgreSQL.
    expect(await first.stop('SIGTERM'), first.stderr() + first.stdout().slice(-3000)).toBe(0);
    expect(embeddedPostgresPid(dir)).toBeNull();
    expect(() => process.kill(postmaster!, 0)).toThrow();
    expect(fs.existsSync(path.join(dir, 'moxora.lock'))).toBe(false);
    // Its start-up log said where the database is.
    expect(first.stdout()).toContain(`Embedded PostgreSQL: ${path.join(dir, 'pg')} on 127.0.0.1:`);

    // The next start reuses the cluster: no initdb, both users still there.
    const port2 = await freePort();
    const again = start({ PORT: String(port2), MOXORA_DATA_DIR: dir, LOG_LEVEL: 'info' });
    expect((await again.waitHealthy(port2)).database.kind).toBe('embedded');
    expect(again.stdout()).not.toContain('initialising the embedded PostgreSQL');
    expect(await usersIn(dir)).toEqual(['first@example.com', 'second@example.com']);
    expect(await again.stop('SIGINT')).toBe(0);
    expect(embeddedPostgresPid(dir)).toBeNull();
  });

  // As root the embedded server runs as the postgres user, which a 0700 folder above the data
  // folder (mktemp -d, /root) used to lock out of it; not root, no other user is involved.
  it.runIf(process.getuid?.() === 0)(
    'starts as root on a data folder below a folder only root may enter',
    async () => {
      const parent = tmpDir('moxora-private-');
      fs.chmodSync(parent, 0o700);
      const port = await freePort();
      const p = start({ PORT: String(port), MOXORA_DATA_DIR: path.join(parent, 'data') });
      expect((await p.waitHealthy(port)).database.kind).toBe('embedded');
      expect(fs.statSync(parent).mode & 0o777).toBe(0o701); // passing through, not listing
      expect(await p.stop('SIGTERM')).toBe(0);
    },
  );

  it('comes back healthy with its data after a SIGKILL, whether PostgreSQL survived it or died too', async () => {
    const dir = initialisedCopy('moxora-crash-');
    const port = await freePort();
    const first = start({ PORT: String(port), MOXORA_DATA_DIR: dir });
    await first.waitHealthy(port);
    expect((await signUp(port, 'before-kill@example.com')).status).toBe(200);
    // SIGKILL to Moxora's whole process group: PostgreSQL, in a group of its own, survives it.
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    const orphan = embeddedPostgresPid(dir);
    expect(orphan).not.toBeNull();

    // The next start stops the server the dead process left behind and starts its own.
    const second = start({ PORT: String(port), MOXORA_DATA_DIR: dir, LOG_LEVEL: 'info' });
    await second.waitHealthy(port);
    expect(second.stdout()).toContain('stopped a PostgreSQL server left running');
    expect(embeddedPostgresPid(dir)).not.toBe(orphan);
    expect((await signUp(port, 'after-first-kill@example.com')).status).toBe(200);

    // Now a power cut: Moxora and PostgreSQL (with every backend) SIGKILLed at once.
    process.kill(-second.child.pid!, 'SIGKILL');
    await second.exited;
    expect(await killEmbeddedPostgres(dir)).toBe(true);

    // PostgreSQL replays its write-ahead log: every committed row is there.
    const third = start({ PORT: String(port), MOXORA_DATA_DIR: dir, LOG_LEVEL: 'info' });
    expect((await third.waitHealthy(port)).database.kind).toBe('embedded');
    expect(third.stdout()).toContain('automatic recovery');
    expect(await usersIn(dir)).toEqual(['after-first-kill@example.com', 'before-kill@example.com']);
    expect(await third.stop('SIGTERM')).toBe(0);
    expect(embeddedPostgresPid(dir)).toBeNull();
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
    expect(embeddedPostgresPid(dir)).toBeNull();
  });
});
