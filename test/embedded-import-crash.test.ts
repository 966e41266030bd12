import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../src/server/lib/db.js';
import { STALE_SECONDS } from '../src/server/modules/imports/imports.jobs.js';
import {
  crashImportCsv,
  expectImportedExactlyOnce,
  type ImportState,
  importState,
} from './helpers/import-crash.js';
import { multipartFile } from './helpers/multipart.js';
import {
  embeddedPostgresPid,
  freePort,
  killEmbeddedPostgres,
  type MoxoraProcess,
  PROCESS_DEADLINE_MS,
  startMoxora,
  stopAllProcesses,
} from './helpers/process.js';
import { waitFor } from './helpers/wait.js';

/**
 * `npm start` on its own data folder (no DATABASE_URL: the embedded PostgreSQL) is SIGKILLed in
 * the middle of an import, twice:
 * 1. Moxora's whole process group, while both writers of the import have batches committed and
 *    more to come: PostgreSQL (its own process group) survives, and the next start stops it and
 *    starts its own;
 * 2. after the import has resumed and moved on in both partitions: Moxora and PostgreSQL with
 *    every backend at once (a power cut), so PostgreSQL replays its write-ahead log on the next
 *    start.
 * Each time the restarted server resumes the import by itself (the `imports.recover` cron job
 * hands an import without a heartbeat to a live worker, imports.jobs.ts), and in the end every
 * row is there exactly once, the later row of a repeated email wins, the counts are exact.
 *
 * The one shortcut: the recovery waits STALE_SECONDS (2 minutes) without a heartbeat before it
 * trusts the runner to be dead. The test moves the dead import's heartbeat back by that much
 * (what waiting would do: nothing else writes it while no runner is alive) rather than waiting.
 */

// Enough rows, in small batches, that the import is in the middle (batches committed, more to
// come) for most of its run, twice, on a busy machine.
const ROWS = 60_000;
const BATCH_ROWS = 2_000;

const dataDirs: string[] = [];
const pools: Database[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close().catch(() => {});
  await stopAllProcesses(); // the servers, and the PostgreSQL left on their data folders
  for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The app's database, through the embedded server's connection details in the data folder. */
async function openAppDatabase(dir: string): Promise<Database> {
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'embedded-postgres.json'), 'utf8')) as {
    port: number;
    user?: string;
    password: string;
  };
  const url = `postgres://${creds.user ?? 'postgres'}:${encodeURIComponent(creds.password)}@127.0.0.1:${creds.port}/postgres`;
  const database = await openPostgres(url, 2);
  pools.push(database);
  return database;
}

async function closeAppDatabase(database: Database) {
  pools.splice(pools.indexOf(database), 1);
  await database.close();
}

/** Signs up, verifies the email (in the database, as the API tests do), signs in: the owner of a new organisation. */
async function signUpOwner(port: number, database: Database) {
  const origin = `http://localhost:${port}`;
  const email = 'importer@crash.example';
  const password = 'password 123';
  const post = (url: string, body: unknown) =>
    fetch(`http://127.0.0.1:${port}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify(body),
    });
  const up = await post('/api/auth/sign-up/email', { name: 'Importer', email, password, ageConfirmed: true });
  expect(up.status, await up.clone().text()).toBe(200);
  await database.query('update users set email_verified = true where email = $1', [email]);
  const signIn = await post('/api/auth/sign-in/email', { email, password });
  expect(signIn.status, await signIn.clone().text()).toBe(200);
  const cookie = signIn.headers
    .getSetCookie()
    .find((c) => c.includes('session_token='))!
    .split(';')[0]!;
  const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { cookie, origin } });
  const orgId = ((await me.json()) as { activeOrganization: { id: string } }).activeOrganization.id;
  return { cookie, origin, orgId };
}

/**
 * Waits until `ready` holds for the import while it is running; fails at once, saying so, if it
 * ends first (a kill after the end would prove nothing) or the server exits.
 */
async function waitMidImport(
  database: Database,
  id: string,
  server: MoxoraProcess,
  what: string,
  ready: (s: ImportState) => boolean,
): Promise<ImportState> {
  let last: ImportState | undefined;
  return waitFor(
    async () => {
      last = await importState(database, id);
      return last.status === 'running' && ready(last) ? last : undefined;
    },
    {
      what,
      timeoutMs: PROCESS_DEADLINE_MS,
      intervalMs: 10,
      abortIf: () => {
        if (server.child.exitCode !== null) return `the server exited: ${server.stderr().slice(-2000)}`;
        if (last && last.status !== 'running' && last.status !== 'queued')
          return `the import ended (${last.status}, ${last.rows_done} of ${ROWS} rows) before the kill: use more rows`;
        return undefined;
      },
    },
  );
}

/** What the recovery would see after waiting STALE_SECONDS for a dead runner's heartbeat. */
async function ageHeartbeat(database: Database, id: string) {
  const { rows } = await database.query<{ status: string }>(
    `update imports set heartbeat_at = heartbeat_at - make_interval(secs => $2) where id = $1 returning status`,
    [id, STALE_SECONDS + 1],
  );
  expect(rows[0]!.status).toBe('running');
}

describe('an import on the embedded PostgreSQL, `npm start` SIGKILLed mid-import', () => {
  it(
    'resumes by itself after each restart and imports every row exactly once, whether PostgreSQL survived the kill or died too',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-import-crash-'));
      dataDirs.push(dir);
      const port = await freePort();
      const start = () =>
        startMoxora('main', [], {
          PORT: String(port),
          MOXORA_DATA_DIR: dir,
          IMPORT_BATCH_ROWS: String(BATCH_ROWS),
          LOG_LEVEL: 'info',
        });

      // First start: initialises the data folder's PostgreSQL.
      const first = start();
      expect((await first.waitHealthy(port)).database.kind).toBe('embedded');
      let database = await openAppDatabase(dir);
      const owner = await signUpOwner(port, database);
      const file = crashImportCsv(ROWS);
      const { payload, headers } = multipartFile('crash.csv', file.csv);
      const up = await fetch(`http://127.0.0.1:${port}/api/v1/imports`, {
        method: 'POST',
        headers: { ...headers, cookie: owner.cookie, origin: owner.origin },
        body: payload,
      });
      const upBody = await up.text();
      expect(up.status, upBody).toBe(201);
      const imp = JSON.parse(upBody) as { id: string; suggestedMapping: unknown[] };
      const started = await fetch(`http://127.0.0.1:${port}/api/v1/imports/${imp.id}/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: owner.cookie, origin: owner.origin },
        body: JSON.stringify({ mapping: imp.suggestedMapping }),
      });
      expect(started.status, await started.clone().text()).toBe(200);

      // Kill 1: Moxora's process group, once both writers have committed batches. PostgreSQL survives.
      const atKill1 = await waitMidImport(
        database,
        imp.id,
        first,
        'both writers of the import to commit a batch',
        (s) => !!s.parts_done && s.parts_done.length === 2 && s.parts_done.every((n) => n > 0),
      );
      process.kill(-first.child.pid!, 'SIGKILL');
      await first.exited;
      const orphan = embeddedPostgresPid(dir);
      expect(orphan, 'PostgreSQL, in a process group of its own, survives the kill').not.toBeNull();
      const afterKill1 = await importState(database, imp.id);
      expect(afterKill1.status).toBe('running');
      expect(afterKill1.rows_done).toBeLessThan(ROWS);
      expect(afterKill1.rows_done).toBe(afterKill1.parts_done!.reduce((a, b) => a + b, 0));
      await ageHeartbeat(database, imp.id);
      await closeAppDatabase(database);

      // Restart: it stops the PostgreSQL left running, starts its own, and the import resumes.
      const second = start();
      await second.waitHealthy(port);
      expect(second.stdout()).toContain('stopped a PostgreSQL server left running');
      expect(embeddedPostgresPid(dir)).not.toBe(orphan);
      database = await openAppDatabase(dir);
      // Kill 2, a power cut: once the resumed import has committed more in both partitions.
      const atKill2 = await waitMidImport(
        database,
        imp.id,
        second,
        'the restarted server to resume the import in both partitions',
        (s) => s.parts_done!.every((n, p) => n > afterKill1.parts_done![p]!),
      );
      expect(atKill2.parts_done!.every((n, p) => n >= atKill1.parts_done![p]!)).toBe(true);
      await closeAppDatabase(database);
      process.kill(-second.child.pid!, 'SIGKILL');
      await second.exited;
      expect(await killEmbeddedPostgres(dir)).toBe(true);

      // Restart: PostgreSQL replays its write-ahead log, the import resumes again and finishes.
      const third = start();
      expect((await third.waitHealthy(port)).database.kind).toBe('embedded');
      expect(third.stdout()).toContain('automatic recovery');
      database = await openAppDatabase(dir);
      const afterKill2 = await importState(database, imp.id);
      expect(afterKill2.status).toBe('running');
      expect(afterKill2.rows_done).toBeGreaterThanOrEqual(atKill2.rows_done); // committed = kept
      expect(afterKill2.rows_done).toBeLessThan(ROWS);
      await ageHeartbeat(database, imp.id);
      const done = await waitFor(
        async () => {
          const s = await importState(database, imp.id);
          return s.status === 'running' ? undefined : s;
        },
        {
          what: 'the restarted server to resume and finish the import',
          timeoutMs: PROCESS_DEADLINE_MS,
          intervalMs: 100,
          abortIf: () =>
            third.child.exitCode === null ? undefined : `it exited: ${third.stderr().slice(-2000)}`,
        },
      );
      expect(done.status).toBe('done');
      await expectImportedExactlyOnce(database, owner.orgId, imp.id, file.expected);
      // The API reports the same.
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/imports/${imp.id}`, {
        headers: { cookie: owner.cookie, origin: owner.origin },
      });
      expect(await res.json()).toMatchObject({
        status: 'done',
        progress: { rowsDone: ROWS, totalRows: ROWS },
        counts: { created: file.expected.contacts },
      });
      await closeAppDatabase(database);
      expect(await third.stop('SIGTERM'), third.stderr()).toBe(0);
      expect(embeddedPostgresPid(dir)).toBeNull();
    },
    PROCESS_DEADLINE_MS * 6,
  );
});
