import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from '../../db/schema/index.js';
import { APP_ROLE, prepareRuntimeRoles, type RuntimeRole, roleUrl, WORKER_ROLE } from './db-roles.js';
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
  /**
   * The same database bound to one organisation: every statement runs in a transaction that
   * starts with `set_config('app.org_id', orgId, true)`, as the app role, so row-level security
   * shows and accepts only that organisation's rows (decision 012).
   */
  forOrg(orgId: string): Database;
  /** The organisation this database is bound to (forOrg), if any. */
  orgId?: string;
  /** Owner connections only: the connection string, from which the runtime roles connect. */
  url?: string;
  poolSize?: number;
  connectTimeoutMs?: number;
}

const MIGRATION_LOCK_KEY = 728_311_001; // pg_advisory_lock key for migrations

/**
 * `connectTimeoutMs` bounds both connecting and waiting for a free connection of the pool (the
 * runtime pools inherit it).
 */
export async function openPostgres(url: string, poolSize = 10, connectTimeoutMs = 10_000): Promise<Database> {
  return {
    ...postgresDatabase(
      new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: connectTimeoutMs }),
    ),
    url,
    poolSize,
    connectTimeoutMs,
  };
}

const SET_ORG = "select set_config('app.org_id', $1, true)";
/** The binding as a named statement: parsed once per connection, then only bound and run. */
const bindOrg = (orgId: string): pg.QueryConfig => ({
  name: 'moxora_bind_org',
  text: SET_ORG,
  values: [orgId],
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEGINS = /^\s*(begin|start\s+transaction)\b/i;

type QueryArg = string | pg.QueryConfig;

/** A connection-level failure (as opposed to an error PostgreSQL reported for a statement). */
const isBroken = (err: unknown) => !(err instanceof Error && 'severity' in err);

/**
 * A pg.Pool look-alike (Drizzle recognises pools by their class name) whose statements run bound
 * to one organisation: a single statement in its own transaction after set_config, and every
 * transaction a client of it begins is bound right after BEGIN.
 *
 * The app pool's clients pipeline (node-postgres `pipeline: true`): begin, set_config, the
 * statement and commit go out together and cost one round trip, not four (sent one by one they
 * made the contacts benchmark's requests 26 % slower than without row-level security; decision
 * 012). Each still runs in order inside the one transaction: if set_config failed the statement
 * would fail too ("current transaction is aborted"), never run unbound; if the statement fails,
 * commit rolls back.
 */
class OrgBoundPool {
  constructor(
    private readonly pool: pg.Pool,
    readonly orgId: string,
  ) {}

  async query(q: QueryArg, values?: unknown[]) {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const [begin, bind, statement, commit] = await Promise.allSettled([
        client.query('begin'),
        client.query(bindOrg(this.orgId)),
        client.query(q as pg.QueryConfig, values),
        client.query('commit'),
      ]);
      for (const step of [begin, bind, statement, commit]) {
        if (step.status === 'rejected') {
          if (isBroken(step.reason)) broken = step.reason as Error;
          throw step.reason;
        }
      }
      return (statement as PromiseFulfilledResult<pg.QueryResult>).value;
    } finally {
      client.release(broken);
    }
  }

  async connect() {
    const client = await this.pool.connect();
    const orgId = this.orgId;
    return {
      async query(q: QueryArg, values?: unknown[]) {
        if (!BEGINS.test(typeof q === 'string' ? q : q.text))
          return client.query(q as pg.QueryConfig, values);
        // BEGIN and the binding in one round trip (pipelined).
        const [r] = await Promise.all([
          client.query(q as pg.QueryConfig, values),
          client.query(bindOrg(orgId)),
        ]);
        return r;
      },
      release(err?: Error | boolean) {
        client.release(err);
      },
    };
  }
}

/**
 * A Database on a pool that has not connected yet (pg.Pool connects on the first query): for
 * code that needs the object but never queries it, like the OpenAPI document generator.
 */
export function unconnectedDatabase(): Database {
  return postgresDatabase(new pg.Pool({ host: '127.0.0.1', port: 1, max: 1 }));
}

function boundDatabase(root: Database, appPool: pg.Pool, orgId: string): Database {
  if (!UUID.test(orgId)) throw new Error(`Not an organisation id: ${JSON.stringify(orgId)}`);
  const bound = new OrgBoundPool(appPool, orgId);
  return {
    kind: root.kind,
    embedded: root.embedded,
    orgId,
    db: drizzlePg(bound as unknown as pg.Pool, { schema }) as unknown as Db,
    async query(text, values) {
      const r = await bound.query(text, values);
      return { rows: r.rows };
    },
    async executeSql(text, values) {
      const r = await bound.query(text, values);
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return { rows: last?.rows ?? [] };
    },
    migrate: () => root.migrate(),
    // The pool belongs to the root database.
    async close() {},
    forOrg: (other) => root.forOrg(other),
  };
}

function postgresDatabase(pool: pg.Pool, kind: Database['kind'] = 'postgres', appPool = pool): Database {
  for (const p of new Set([pool, appPool])) {
    p.on('error', () => {
      // idle client errors (e.g. server restart) are surfaced on the next query
    });
  }
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  // One bound database per organisation, kept while there are not too many.
  const bound = new Map<string, Database>();
  const self: Database = {
    kind,
    forOrg(orgId) {
      let b = bound.get(orgId);
      if (!b) {
        if (bound.size >= 1000) bound.clear();
        b = boundDatabase(self, appPool, orgId);
        bound.set(orgId, b);
      }
      return b;
    },
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
      if (!appPool.ended) await appPool.end();
    },
  };
  return self;
}

/**
 * The runtime's database on the owner's server: the worker role for cross-organisation work and
 * forOrg() on the app role (lib/db-roles.ts). Prepares the roles first (as the owner, after the
 * migrations). close() closes the owner database too. An owner database without a URL (the
 * OpenAPI generator's) is returned as it is.
 */
export async function openRuntimeDatabase(
  owner: Database,
  passwords: Record<RuntimeRole, string>,
  warn?: (message: string) => void,
): Promise<Database> {
  if (!owner.url) return owner;
  await prepareRuntimeRoles(owner, owner.url, passwords, warn);
  const size = owner.poolSize ?? 10;
  const open = (role: RuntimeRole) =>
    new pg.Pool({
      connectionString: roleUrl(owner.url!, role, passwords[role]),
      max: size,
      connectionTimeoutMillis: owner.connectTimeoutMs ?? 10_000,
      // The app role's statements are sent with their binding in one go (OrgBoundPool).
      ...(role === APP_ROLE ? { pipeline: true } : {}),
    } as pg.PoolConfig);
  const runtime = postgresDatabase(open(WORKER_ROLE), owner.kind, open(APP_ROLE));
  const closeRuntime = runtime.close;
  return {
    ...runtime,
    embedded: owner.embedded,
    migrate: () => owner.migrate(),
    async close() {
      try {
        await closeRuntime();
      } finally {
        await owner.close();
      }
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
    url: server.url,
    poolSize: opts.poolSize ?? 10,
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
