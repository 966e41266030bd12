import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';

/** Start-up behaviour of the real `npm start` entry point, in child processes. */
const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'src/server/main.ts');
const children: ChildProcess[] = [];

function start(env: Record<string, string>) {
  const child = spawn(TSX, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return (await res.json()) as { database: { kind: string } };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server on ${port} did not become healthy`);
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

// Skipped in the PGlite pass (TEST_DB=pglite): these tests spawn `npm start` on its own embedded
// database whatever TEST_DB says, so running them twice would test the same thing twice.
describe.skipIf(process.env.TEST_DB === 'pglite')(
  'start-up (embedded database; runs once, in the PostgreSQL pass)',
  () => {
    it.each([
      ['not a url', 'DATABASE_URL is not a valid URL'],
      ['mysql://root@localhost/db', 'DATABASE_URL must start with postgres://'],
      ['postgres://localhost', 'DATABASE_URL names no database'],
    ])('stops on a malformed DATABASE_URL (%s) with one clear line', async (url, expected) => {
      const p = start({ DATABASE_URL: url, PORT: String(await freePort()) });
      expect(await p.exited).toBe(1);
      const lines = p.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(expected);
    });

    it('stops on a bad PORT and on a port already in use, naming PORT', async () => {
      const bad = start({ PORT: 'eighty' });
      expect(await bad.exited).toBe(1);
      expect(bad.stderr()).toMatch(/^moxora: Invalid configuration: PORT/);

      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', r));
      const port = (blocker.address() as net.AddressInfo).port;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-port-'));
      try {
        const p = start({ PORT: String(port), MOXORA_DATA_DIR: dir });
        expect(await p.exited).toBe(1);
        expect(p.stderr().trim()).toBe(
          `moxora: PORT ${port} is already in use: stop the other process or set PORT`,
        );
      } finally {
        blocker.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses a second process on the same data folder, and the folder stays usable', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-lock-'));
      try {
        const port1 = await freePort();
        const first = start({ PORT: String(port1), MOXORA_DATA_DIR: dir });
        expect((await waitHealthy(port1)).database.kind).toBe('pglite');
        const signUp = await fetch(`http://127.0.0.1:${port1}/api/auth/sign-up/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: `http://localhost:${port1}` },
          body: JSON.stringify({
            name: 'Lock',
            email: 'lock@example.com',
            password: 'password 123',
            ageConfirmed: true,
          }),
        });
        expect(signUp.status).toBe(200);

        const second = start({ PORT: String(await freePort()), MOXORA_DATA_DIR: dir });
        expect(await second.exited).toBe(1);
        expect(second.stderr()).toContain('is in use by another Moxora process');

        // The first process is unharmed and still writes.
        expect((await fetch(`http://127.0.0.1:${port1}/api/health`)).status).toBe(200);
        const again = await fetch(`http://127.0.0.1:${port1}/api/auth/sign-up/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: `http://localhost:${port1}` },
          body: JSON.stringify({
            name: 'Lock2',
            email: 'lock2@example.com',
            password: 'password 123',
            ageConfirmed: true,
          }),
        });
        expect(again.status).toBe(200);
        first.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);
        expect(fs.existsSync(path.join(dir, 'moxora.lock'))).toBe(false);

        // The folder opens cleanly afterwards, with both users in it.
        const db = new PGlite(path.join(dir, 'pgdata'));
        const { rows } = await db.query<{ email: string }>('select email from users order by email');
        expect(rows.map((r) => r.email)).toEqual(['lock2@example.com', 'lock@example.com']);
        await db.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('takes over a lock left by a process that died', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-stale-'));
      try {
        fs.writeFileSync(path.join(dir, 'moxora.lock'), '999999'); // no such pid
        const port = await freePort();
        const p = start({ PORT: String(port), MOXORA_DATA_DIR: dir });
        await waitHealthy(port);
        const owner = Number(fs.readFileSync(path.join(dir, 'moxora.lock'), 'utf8'));
        expect(owner).not.toBe(999999);
        expect(() => process.kill(owner, 0)).not.toThrow(); // the new server holds it
        p.child.kill('SIGTERM');
        expect(await p.exited).toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
