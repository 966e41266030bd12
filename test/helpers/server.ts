import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, createRuntime, type Runtime } from '../../src/server/app.js';
import { type Config, loadConfig } from '../../src/server/lib/config.js';
import { type Database, openPostgres } from '../../src/server/lib/db.js';

/**
 * True when this run has no database to test against. global-setup.ts starts an embedded
 * PostgreSQL when TEST_DATABASE_URL is unset and fails the run when it cannot, so this is false
 * in practice; the suites keep the guard for a global setup that provides no template.
 */
export const databaseMissing = inject('pgTemplate') === null;

export interface TestServer {
  app: FastifyInstance;
  runtime: Runtime;
  config: Config;
  baseUrl: string;
  origin: string;
  /** The URL of this server's own database, for child processes (CLI, worker). */
  databaseUrl: string;
  /**
   * A statement as the database's owner (DDL a test sets up: the runtime roles may not), then
   * the runtime roles' grants and policies for whatever it created (moxora_secure_tables).
   */
  ownerQuery(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** Every route of the app, as registered (HEAD twins of GET routes included). */
  routes: RouteOptions[];
  close(): Promise<void>;
}

/** A fresh database (a clone of the migrated template) with the app and workers on it. */
export async function createTestServer(
  overrides: Partial<Config> = {},
  opts: { logStream?: NodeJS.WritableStream; poolSize?: number } = {},
): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-test-'));
  const baseUrl = 'http://localhost:3999';
  const template = inject('pgTemplate');
  if (!template) throw new Error('PostgreSQL is not available for this test run');
  const cloneName = `${template}_f${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`create database ${cloneName} template ${template}`);
  await admin.end();
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${cloneName}`;
  const databaseUrl = url.toString();
  // A small pool waits longer for a free connection (a busy machine must not fail the test).
  const database: Database = await openPostgres(
    databaseUrl,
    opts.poolSize ?? 5,
    opts.poolSize ? 300_000 : 10_000,
  );
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      MOXORA_DATA_DIR: dataDir,
      BASE_URL: baseUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    },
    { ...overrides },
  );
  const runtime = await createRuntime(config, { database });
  const routes: RouteOptions[] = [];
  const { app } = await buildApp(runtime, {
    logStream: opts.logStream,
    onRoute: (route) => void routes.push(route),
  });
  await runtime.jobs.startWorkers();
  return {
    app,
    runtime,
    config,
    baseUrl,
    origin: baseUrl,
    databaseUrl,
    routes,
    async ownerQuery(text, values) {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        const r = await c.query(text, values);
        await c.query('select moxora_secure_tables()');
        return { rows: r.rows };
      } finally {
        await c.end();
      }
    },
    async close() {
      await app.close();
      await runtime.close();
      const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
      await admin.connect();
      await admin.query(`drop database if exists ${cloneName} with (force)`).catch(() => {});
      await admin.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
