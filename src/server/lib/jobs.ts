import { type SQL, sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { safeErrorSummary } from '../plugins/errors.js';
import type { Config } from './config.js';
import type { Keyring } from './crypto.js';
import type { Database, Db } from './db.js';
import type { Mailer } from './mailer.js';

/** What a job handler may use. Handlers reload state from the database; payloads carry ids. */
export interface JobDeps {
  database: Database;
  mailer: Mailer;
  config: Config;
  log: Logger;
  keys: Keyring;
  /** The queue itself, for handlers that enqueue follow-up jobs (set when the queue is created). */
  jobs?: JobQueue;
  /** The event bus (set by the runtime): handlers that record contact events kick it after commit. */
  events?: import('./events.js').EventBus;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  /** Must be idempotent: the queue delivers at least once. */
  handler: (data: z.infer<S>, deps: JobDeps, meta: { id: string; retryCount: number }) => Promise<void>;
  queue?: Omit<PgBoss.Queue, 'name'>;
  /** Cron schedule (UTC), for periodic jobs. */
  cron?: string;
  /**
   * Jobs fetched per poll by each worker (default 1). They run concurrently, each on its own;
   * one failing is failed alone (retried by the queue), the others complete.
   */
  batchSize?: number | ((config: Config) => number);
  /**
   * Handles a fetched batch at once (set-based work). Returns the jobs that failed, which are
   * failed alone (retried by the queue); the others complete. Without it, jobs run one by one.
   */
  batchHandler?: (
    items: Array<{ id: string; data: z.infer<S> }>,
    deps: JobDeps,
  ) => Promise<Array<{ id: string; error: unknown }>>;
  /**
   * The queue may hold a deep backlog of ready jobs with priorities (automation steps). pg-boss
   * fetches `order by priority desc, created_on, id limit n` through an index on start_after, so
   * every fetch reads and sorts the whole ready backlog. This adds an index in fetch order to the
   * queue's own partition: a fetch reads about n entries, whatever the depth.
   */
  fetchIndex?: boolean;
}

const registry = new Map<string, JobDefinition>();

/** Declares a typed job. Call at module top level; the registry is read when workers start. */
export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  if (!/^[a-z]+\.[a-zA-Z]+$/.test(def.name)) throw new Error(`Job name ${def.name} must be module.verb`);
  const existing = registry.get(def.name);
  if (existing && existing !== (def as unknown as JobDefinition)) {
    throw new Error(`Job ${def.name} is defined twice`);
  }
  registry.set(def.name, def as unknown as JobDefinition);
  return def;
}

export function registeredJobs(): JobDefinition[] {
  return [...registry.values()];
}

export interface JobQueue {
  boss: PgBoss;
  /**
   * Enqueues a job. With `tx`, the job is inserted in that transaction: it exists exactly when the
   * change that caused it commits (no row left "queued" when the enqueue fails).
   */
  send<S extends z.ZodType>(
    job: JobDefinition<S>,
    data: z.input<S>,
    options?: PgBoss.SendOptions & { tx?: Db },
  ): Promise<string | null>;
  startWorkers(): Promise<void>;
  /** Waits for active jobs to finish (up to timeoutMs), then releases what is left for a retry. */
  stop(timeoutMs?: number): Promise<void>;
  health(): Promise<{ ok: boolean; error?: string }>;
  activeCount(): number;
  /**
   * Tells this process's workers of a queue to fetch now: call after committing a transaction
   * that enqueued jobs (they would otherwise be found at the next poll, up to a second later).
   */
  wake(name: string): void;
}

/** See JobDefinition.fetchIndex. Idempotent; a race with another process's start is harmless. */
async function createFetchIndex(database: Database, queue: string, log: Logger): Promise<string | undefined> {
  const { rows } = await database.executeSql('select partition_name from pgboss.queue where name = $1', [
    queue,
  ]);
  const table = (rows[0] as { partition_name?: string } | undefined)?.partition_name;
  if (!table || !/^j[0-9a-f]+$/.test(table)) return undefined;
  // Named within PostgreSQL's 63 characters (the partition's name takes 57).
  try {
    await database.executeSql(
      `create index if not exists ${table}_mf on pgboss.${table} (priority desc, created_on, id)
        where state < 'active'`,
    );
  } catch (err) {
    // Another process creating it at the same moment: fine once it exists.
    const { rows: found } = await database.executeSql(
      'select 1 from pg_indexes where schemaname = $1 and indexname = $2',
      ['pgboss', `${table}_mf`],
    );
    if (found.length === 0)
      log.warn({ err: safeErrorSummary(err), queue }, 'could not create the fetch index');
  }
  return table;
}

/**
 * Keeps the planner's statistics of a deep queue's partition fresh. A queue at rest holds only
 * completed jobs; when 100,000 ready jobs arrive at once, the statistics still say "nothing is
 * ready", the planner reads and sorts every ready job by pg-boss's start_after index on each
 * fetch (500 ms at 100,000 instead of 1 ms), and autovacuum analyzes the table only a minute or
 * more later. Checked every few seconds in processes with workers: cheap (one row of
 * pg_stat_user_tables), and an ANALYZE only after many changes.
 */
async function analyzeIfStale(database: Database, table: string) {
  const { rows } = await database.executeSql(
    `select n_mod_since_analyze::float8 as mods, greatest(n_live_tup, 1)::float8 as live
      from pg_stat_user_tables where schemaname = 'pgboss' and relname = $1`,
    [table],
  );
  const r = rows[0] as { mods: number; live: number } | undefined;
  if (r && r.mods >= ANALYZE_MIN_CHANGES && r.mods >= 0.2 * r.live)
    await database.executeSql(`analyze pgboss.${table}`);
}
const ANALYZE_MIN_CHANGES = 2_000;
const ANALYZE_CHECK_MS = 3_000;

const DEFAULT_QUEUE: Omit<PgBoss.Queue, 'name'> = {
  retryLimit: 5,
  retryDelay: 5,
  retryBackoff: true,
  expireInSeconds: 15 * 60,
  retentionDays: 7,
};

export async function createJobQueue(deps: JobDeps): Promise<JobQueue> {
  const { database, log, config } = deps;
  // pg-boss's own statements in flight: a worker completes its job (and its poller may still be
  // fetching) after the handler returned, so stop() waits for these before the pool may close.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const boss = new PgBoss({
    db: {
      executeSql: async (text, values) => {
        inFlight++;
        try {
          return await database.executeSql(text, values);
        } finally {
          inFlight--;
          if (inFlight === 0) drained?.();
        }
      },
    },
    schema: 'pgboss',
    // Maintenance and cron run in every process; pg-boss coordinates them with advisory locks.
    supervise: true,
    schedule: true,
    migrate: true,
    maintenanceIntervalSeconds: 120,
    deleteAfterDays: 7,
  });
  boss.on('error', (err) => log.error({ err: safeErrorSummary(err) }, 'job queue error'));
  await boss.start();
  const deepQueueTables: string[] = [];
  for (const def of registry.values()) {
    await boss
      .createQueue(def.name, { name: def.name, ...DEFAULT_QUEUE, ...def.queue })
      .catch(async (err) => {
        // createQueue is not idempotent under a race between processes: ignore "already exists".
        if (!(await boss.getQueue(def.name))) throw err;
      });
    if (def.fetchIndex) {
      const table = await createFetchIndex(database, def.name, log);
      if (table) deepQueueTables.push(table);
    }
  }

  const workerIds = new Map<string, string[]>();
  const active = new Map<string, { name: string }>();
  let stopping = false;
  let workersStarted = false;
  let starting: Promise<void> | undefined;

  let statsTimer: NodeJS.Timeout | undefined;
  let analyzing: Promise<void> | undefined;
  async function registerWorkers() {
    workersStarted = true;
    if (deepQueueTables.length > 0) {
      statsTimer = setInterval(() => {
        if (analyzing || stopping) return;
        analyzing = Promise.all(deepQueueTables.map((t) => analyzeIfStale(database, t)))
          .then(() => {})
          .catch((err) => log.warn({ err: safeErrorSummary(err) }, 'could not analyze a job queue'))
          .finally(() => {
            analyzing = undefined;
          });
      }, ANALYZE_CHECK_MS);
      statsTimer.unref();
    }
    for (const def of registry.values()) {
      if (stopping) return;
      const ids: string[] = [];
      workerIds.set(def.name, ids);
      for (let i = 0; i < config.workerConcurrency; i++) {
        let myId: string | undefined;
        const batchSize = typeof def.batchSize === 'function' ? def.batchSize(config) : (def.batchSize ?? 1);
        const runOne = async (job: PgBoss.JobWithMetadata<unknown>) => {
          active.set(job.id, { name: def.name });
          const started = Date.now();
          try {
            const data = def.schema.parse(job.data);
            await def.handler(data, deps, { id: job.id, retryCount: job.retryCount });
            if (batchSize === 1)
              log.info({ job: def.name, jobId: job.id, ms: Date.now() - started }, 'job done');
          } catch (err) {
            // Neither the log nor pg-boss's stored job output may hold a query's parameters
            // (user data): both get the safe summary of the error.
            const safe = safeErrorSummary(err);
            log.warn({ job: def.name, jobId: job.id, err: safe }, 'job failed');
            throw Object.assign(new Error(safe.message), { name: safe.name, code: safe.code });
          } finally {
            active.delete(job.id);
          }
        };
        myId = await boss.work(
          def.name,
          { batchSize, pollingIntervalSeconds: 1, includeMetadata: true },
          async (jobs) => {
            if (jobs.length === 0) return;
            try {
              if (batchSize === 1) {
                await runOne(jobs[0]!);
                return;
              }
              if (def.batchHandler) {
                const items = jobs.map((j) => ({ id: j.id, data: def.schema.parse(j.data) }));
                for (const j of jobs) active.set(j.id, { name: def.name });
                try {
                  const failed = await def.batchHandler(items, deps);
                  for (const f of failed) {
                    const safe = safeErrorSummary(f.error);
                    log.warn({ job: def.name, jobId: f.id, err: safe }, 'job failed');
                    await boss
                      .fail(def.name, f.id, { message: safe.message, name: safe.name })
                      .catch(() => {});
                  }
                } finally {
                  for (const j of jobs) active.delete(j.id);
                }
                return;
              }
              // A batch: each job on its own; a failed one is failed alone (pg-boss then completes
              // only the jobs still active).
              await Promise.all(
                jobs.map((job) =>
                  runOne(job).catch((err: Error) =>
                    boss.fail(def.name, job.id, { message: err.message, name: err.name }).catch(() => {}),
                  ),
                ),
              );
            } finally {
              // A job was waiting, so more may be: fetch again at once instead of after the poll interval.
              if (!stopping && myId) boss.notifyWorker(myId);
            }
          },
        );
        ids.push(myId);
      }
      if (def.cron) await boss.schedule(def.name, def.cron, {}, { tz: 'UTC' });
    }
  }

  function notify(name: string) {
    for (const id of workerIds.get(name) ?? []) boss.notifyWorker(id);
  }

  const queue: JobQueue = {
    boss,
    async send(job, data, options) {
      const payload = job.schema.parse(data) as object;
      const { tx, ...rest } = options ?? {};
      const id = await boss.send(job.name, payload, tx ? { ...rest, db: txExecutor(tx) } : rest);
      // Inside a transaction the job is not visible before commit: local workers find it at their
      // next poll (1 s) instead of at once.
      if (workersStarted && !rest.startAfter && !tx) notify(job.name);
      return id;
    },
    startWorkers() {
      starting ??= registerWorkers();
      return starting;
    },
    async stop(timeoutMs = 20_000) {
      stopping = true;
      clearInterval(statsTimer);
      await analyzing;
      // A signal can arrive while workers are still being registered: let that finish first so
      // boss.stop sees every worker.
      await starting?.catch(() => {});
      const leftover = [...active.entries()];
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
      const stillActive = leftover.filter(([id]) => active.has(id));
      for (const [id, { name }] of stillActive) {
        // Release unfinished jobs so another worker retries them now rather than after expiry.
        await boss.fail(name, id, { message: 'worker shut down before the job finished' }).catch(() => {});
      }
      // pg-boss marks a job done after its handler returned, possibly after boss.stop resolved:
      // wait until no handler runs and none of pg-boss's statements is in flight, twice in a row
      // (a completion starts on the turn after its handler ends), before the pool may close.
      const deadline = Date.now() + 5_000;
      let quietTurns = 0;
      while (quietTurns < 2 && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          if (inFlight > 0) drained = resolve;
          setTimeout(resolve, 10).unref();
        });
        drained = undefined;
        quietTurns = active.size === 0 && inFlight === 0 ? quietTurns + 1 : 0;
      }
    },
    async health() {
      try {
        await database.query('select count(*) from pgboss.queue');
        return { ok: true };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    },
    activeCount() {
      return active.size;
    },
    wake(name) {
      if (workersStarted && !stopping) notify(name);
    },
  };
  deps.jobs = queue;
  return queue;
}

/**
 * pg-boss's `db` option for a Drizzle transaction: its positional SQL (`$1`, `$2` …) is turned
 * into a Drizzle query with bound parameters, so the job row is written by the transaction's
 * own connection (either driver).
 */
export function txExecutor(tx: Db): {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
} {
  return {
    async executeSql(text, values = []) {
      const parts = text.split(/\$(\d+)/);
      const chunks: SQL[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i % 2 === 0) chunks.push(sql.raw(parts[i]!));
        else {
          const v = values[Number(parts[i]) - 1];
          chunks.push(
            sql`${v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : (v ?? null)}`,
          );
        }
      }
      const result = (await tx.execute(sql.join(chunks, sql``))) as unknown as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}
