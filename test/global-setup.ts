import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../src/server/lib/db.js';
import { buildServer, ROOT } from './helpers/server-build.js';

/**
 * Every run: compile the server once, for the tests that start it as a child process
 * (helpers/process.ts).
 * PostgreSQL runs: migrate a template database once per run; each test file clones it
 * (CREATE DATABASE … TEMPLATE), so files never see each other's rows.
 * PGlite runs: nothing to prepare (each file opens its own embedded database).
 */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string | null;
    pgAdminUrl: string;
    /** The compiled server (src/server/main.js …) or why it did not compile. */
    serverBuild: { dir: string; error: string | null };
  }
}

export default async function setup(project: TestProject) {
  project.provide('pgAdminUrl', ADMIN_URL);
  // One folder per run: runs started side by side never share (or delete) each other's build.
  const buildsDir = path.join(ROOT, '.tmp', 'test-server');
  const buildDir = path.join(buildsDir, `run-${process.pid}`);
  removeBuildsOfDeadRuns(buildsDir);
  let buildError: string | null = null;
  try {
    await buildServer(buildDir);
  } catch (err) {
    // Only the tests that start processes need it: they fail with this message, the rest run.
    buildError = (err as Error).message;
  }
  project.provide('serverBuild', { dir: buildDir, error: buildError });
  const removeBuild = () => fs.rmSync(buildDir, { recursive: true, force: true });
  if (process.env.TEST_DB === 'pglite') {
    project.provide('pgTemplate', null);
    return removeBuild;
  }
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    const msg = `PostgreSQL is not reachable at ${ADMIN_URL} (${(err as Error).message}).`;
    if (process.env.CI === 'true') throw new Error(`${msg} CI=true: PostgreSQL tests cannot be skipped.`);
    console.warn(
      `\n\n*** ${msg}\n*** SKIPPING every PostgreSQL test. Set TEST_DATABASE_URL or start PostgreSQL.\n\n`,
    );
    project.provide('pgTemplate', null);
    process.env.MOXORA_PG_MISSING = '1';
    return removeBuild;
  }
  const template = `moxora_tpl_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create database ${template}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${template}`;
  const database = await openPostgres(url.toString(), 2);
  await database.migrate();
  const boss = new PgBoss({
    db: { executeSql: (t, v) => database.executeSql(t, v) },
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, close: false });
  await database.close();
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
    removeBuild();
  };
}

/** Builds left by runs that were killed before their teardown. */
function removeBuildsOfDeadRuns(dir: string) {
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
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}
