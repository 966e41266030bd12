import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../src/server/lib/db.js';
import { APP_ROLE, WORKER_ROLE } from '../src/server/lib/db-roles.js';
import {
  type EmbeddedPostgres,
  openEmbeddedPostgres,
  stopLeftoverServer,
} from '../src/server/lib/embedded-postgres.js';
import { buildServer, ROOT } from './helpers/server-build.js';

/**
 * Every run: compile the server once, for the tests that start it as a child process
 * (helpers/process.ts).
 * The database server: TEST_DATABASE_URL when set; otherwise one embedded PostgreSQL for the whole
 * run (lib/embedded-postgres.ts, data under .tmp/test-pg/run-<pid>, a free port), stopped and
 * removed at teardown, so `npm test` needs nothing but Node.
 * Then a template database is migrated once per run; each test file clones it
 * (CREATE DATABASE … TEMPLATE), so files never see each other's rows.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string | null;
    pgAdminUrl: string;
    /** The compiled server (src/server/main.js …) or why it did not compile. */
    serverBuild: { dir: string; error: string | null };
  }
}

export default async function setup(project: TestProject) {
  // One folder per run: runs started side by side never share (or delete) each other's build.
  const buildsDir = path.join(ROOT, '.tmp', 'test-server');
  const buildDir = path.join(buildsDir, `run-${process.pid}`);
  await removeFoldersOfDeadRuns(buildsDir);
  let buildError: string | null = null;
  try {
    await buildServer(buildDir);
  } catch (err) {
    // Only the tests that start processes need it: they fail with this message, the rest run.
    buildError = (err as Error).message;
  }
  project.provide('serverBuild', { dir: buildDir, error: buildError });
  const removeBuild = () => fs.rmSync(buildDir, { recursive: true, force: true });
  let embedded: EmbeddedPostgres | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  const pgRunsDir = path.join(ROOT, '.tmp', 'test-pg');
  const pgDir = path.join(pgRunsDir, `run-${process.pid}`);
  const stopEmbedded = async () => {
    await embedded?.stop();
    fs.rmSync(pgDir, { recursive: true, force: true });
  };
  if (!adminUrl) {
    await removeFoldersOfDeadRuns(pgRunsDir, (folder) => stopLeftoverServer(path.join(folder, 'pg')));
    fs.rmSync(pgDir, { recursive: true, force: true });
    try {
      embedded = await openEmbeddedPostgres(pgDir, { maxConnections: 300 });
    } catch (err) {
      removeBuild();
      await stopEmbedded().catch(() => {});
      throw new Error(`Could not start the tests' embedded PostgreSQL: ${(err as Error).message}`);
    }
    adminUrl = embedded.url;
  }
  project.provide('pgAdminUrl', adminUrl);
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    removeBuild();
    await stopEmbedded();
    throw new Error(`PostgreSQL is not reachable at TEST_DATABASE_URL (${(err as Error).message}).`);
  }
  const template = `moxora_tpl_${process.pid}_${Date.now().toString(36)}`;
  try {
    if (embedded) await trustRuntimeRoles(embedded.pgData, admin);
    await admin.query(`create database ${template}`);
    const url = new URL(adminUrl);
    url.pathname = `/${template}`;
    const database = await openPostgres(url.toString(), 2);
    try {
      await database.migrate();
      const boss = new PgBoss({
        db: { executeSql: (t, v) => database.executeSql(t, v) },
        schema: 'pgboss',
        supervise: false,
        schedule: false,
      });
      await boss.start();
      await boss.stop({ graceful: false, close: false });
    } finally {
      await database.close();
    }
  } catch (err) {
    await admin.query(`drop database if exists ${template} with (force)`).catch(() => {});
    await admin.end().catch(() => {});
    await stopEmbedded().catch(() => {});
    removeBuild();
    throw err;
  }
  project.provide('pgTemplate', template);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1 or datname = $2`,
      [`${template}_f%`, template],
    );
    for (const { datname } of rows) {
      await admin.query(`drop database if exists ${datname} with (force)`).catch(() => {});
    }
    await admin.end();
    await stopEmbedded();
    removeBuild();
  };
}

/**
 * The run's embedded server hosts many installations at once: every test server has its own data
 * folder, so its own encryption key, so its own passwords for the runtime roles (derived from the
 * key, lib/db-roles.ts). Roles are cluster-wide, so each test server that starts resets the
 * passwords the others' pools log in with, and files running side by side fail with "password
 * authentication failed for user moxora_worker". Production holds one installation per cluster
 * (docs/operations.md); the external server CI tests against accepts every role without a
 * password. The run's cluster does the same for the two runtime roles only (on loopback, for
 * this run's lifetime); its owner keeps scram-sha-256, and the embedded default with role
 * passwords is tested by startup.test.ts on clusters of its own.
 */
async function trustRuntimeRoles(pgData: string, admin: pg.Client) {
  const hba = path.join(pgData, 'pg_hba.conf');
  const rule = `host all ${APP_ROLE},${WORKER_ROLE} 127.0.0.1/32 trust # test run only (global-setup.ts)`;
  fs.writeFileSync(hba, `${rule}\n${fs.readFileSync(hba, 'utf8')}`);
  await admin.query('select pg_reload_conf()');
  const { rows } = await admin.query<{ n: number }>(
    `select count(*)::int as n from pg_hba_file_rules where $1 = any(user_name) and auth_method = 'trust'`,
    [WORKER_ROLE],
  );
  if (rows[0]?.n !== 1) throw new Error(`The test run's PostgreSQL did not take the rule added to ${hba}`);
}

/**
 * What runs killed before their teardown left in `dir` (folders named run-<pid> of a pid that no
 * longer runs): `cleanUp` (e.g. stop an embedded server) runs first, then the folder goes.
 */
async function removeFoldersOfDeadRuns(dir: string, cleanUp?: (folder: string) => Promise<unknown>) {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await cleanUp?.(path.join(dir, name)).catch(() => {});
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}
