import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from '../../db/schema/index.js';
import { type EmbeddedOptions, openEmbeddedPostgres } from './embedded-postgres.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../db/migrations',
);

export interface SqlResult<R = Record<string, unknown>> {
  rows: R[];
}

/** A database connection: Drizzle for queries, raw SQL for pg-boss and health checks. */
export interface Database {
  /** 'postgres': DATABASE_URL; 'embedded': the PostgreSQL server Moxora runs on its data folder. */
  kind: 'postgres' | 'embedded';
  /** Embedded only: where it is and who runs it. */
  embedded?: { pgData: string; port: number; owner: boolean; ownerPid: number; initialised: boolean };
  db: Db;
  /** Parameterised query (one statement). */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<SqlResult<R>>;
  /** pg-boss's `db.executeSql`: parameterless strings may hold several statements. */
  executeSql(text: string, values?: unknown[]): Promise<SqlResult>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATION_LOCK_KEY = 728_311_001; // pg_advisory_lock key for migrations

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  return postgresDatabase(
    new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 }),
  );
}

/**
 * A Database on a pool that has not connected yet (pg.Pool connects on the first query): for
 * code that needs the object but never queries it, like the OpenAPI document generator.
 */
export function unconnectedDatabase(): Database {
  return postgresDatabase(new pg.Pool({ host: '127.0.0.1', port: 1, max: 1 }));
}

function postgresDatabase(pool: pg.Pool, kind: Database['kind'] = 'postgres'): Database {
  pool.on('error', () => {
    // idle client errors (e.g. server restart) are surfaced on the next query
  });
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    kind,
    db,
    async query(text, values) {
      const r = await pool.query(text, values as unknown[] | undefined);
      return { rows: r.rows };
    },
    async executeSql(text, values) {
      const r = values && values.length > 0 ? await pool.query(text, values) : await pool.query(text);
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return { rows: last?.rows ?? [] };
    },
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      // Idempotent: a runtime and its owner may both close the same database.
      if (!pool.ended) await pool.end();
    },
  };
}

export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  log?: EmbeddedOptions['log'];
}): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize);
  return openEmbedded(path.join(opts.dataDir), { poolSize: opts.poolSize, log: opts.log });
}

/**
 * The embedded PostgreSQL on `<dataDir>/pg` (lib/embedded-postgres.ts): started by this process,
 * or the one another Moxora process already runs there. close() ends the pool, then stops the
 * server if this process started it.
 */
export async function openEmbedded(
  dataDir: string,
  opts: { poolSize?: number; log?: EmbeddedOptions['log'] } = {},
): Promise<Database> {
  const server = await openEmbeddedPostgres(dataDir, { log: opts.log });
  const pool = new pg.Pool({
    connectionString: server.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
  });
  const database = postgresDatabase(pool, 'embedded');
  const closePool = database.close;
  return {
    ...database,
    embedded: {
      pgData: server.pgData,
      port: server.port,
      owner: server.owner,
      ownerPid: server.ownerPid,
      initialised: server.initialised,
    },
    async close() {
      try {
        await closePool();
      } finally {
        await server.stop();
      }
    },
  };
}
