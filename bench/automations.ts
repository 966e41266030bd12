import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { buildServer } from '../scripts/build-server.mjs';
import type { WorkflowDefinition, WorkflowNode } from '../src/common/automations.js';
import { loadConfig } from '../src/server/lib/config.js';
import { freePort } from '../src/server/lib/embedded-postgres.js';
import { startSinkProcess } from './campaign-send.js';
import type { BenchResult } from './run.js';

/**
 * Automation throughput (`npm run bench automations`), issue 10. A real server process (the
 * `npm start` build, NODE_ENV=production, its default WORKER_CONCURRENCY and AUTOMATION_STEP_BATCH
 * unless set in this process's environment) on a fresh database of the external PostgreSQL
 * (BENCH_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres; database
 * BENCH_AUTOMATIONS_DATABASE, default moxora_bench_automations, dropped at the end unless
 * BENCH_KEEP=1), SMTP_URL = the SMTP sink process (bench/smtp-sink-process.ts).
 *
 * 1. Trigger → first action, on the otherwise idle server: an active "tag added 'go' → add tag
 *    'went'" workflow; for 50 contacts one after the other, `PATCH /api/v1/contacts/{id}`
 *    {tags:['go']}; latency = the step ledger's finished_at of 'add tag' − the PATCH response
 *    (p50/p95, target p95 ≤ 1 s). The workflow is paused afterwards.
 * 2. Throughput: BENCH_AUTOMATIONS_CONTACTS (default 100,000) subscribed contacts in a segment,
 *    an active "manual → add tag → wait 1 s → update field (custom.stage) → send email
 *    (template, sender)" workflow (created and activated through the API), all enrolled with one
 *    `POST /api/v1/automations/{id}/enrol` {segmentId}. Measured: ledger steps done per second
 *    (done rows ÷ (last finished_at − enrol call − the 1 s wait)), the time until every run ended,
 *    the queue depth (pgboss.job rows of 'automations.step' in created/retry, sampled each
 *    second; the series goes to bench/results/automations-queue-depth.json), the emails at the sink,
 *    CPU of the server process and of PostgreSQL.
 * 3. Baseline in the same run, after the server stopped: bare pg-boss 10 (the project's) in its own
 *    schema of the same database, same worker count, batch size and pool size, a send/fetch/complete
 *    loop of as many jobs as ledger steps: one chain per contact (BENCH_AUTOMATIONS_BARE_RUNS),
 *    whose first jobs are inserted at once and each handled job sends the next, 4 per chain (so the
 *    queue is as deep as ours); ratio = our steps/s ÷ bare jobs/s.
 *
 * `--async-commit` (what-if): the server's and the bare loop's connections use
 * synchronous_commit=off (`?options=-c synchronous_commit=off` on their URLs), i.e. what
 * `set local synchronous_commit = off` in the step transaction would give.
 *
 * `--profile`: samples pg_stat_activity of the bench database every 50 ms during the throughput
 * run and prints the statements (and wait events) the backends were seen in, most first (written
 * to bench/results/automations-profile.txt).
 */

const ADMIN = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const STEP_QUEUE = 'automations.step';
const LATENCY_SAMPLES = Number(process.env.BENCH_AUTOMATIONS_LATENCY_SAMPLES ?? 50);
const LATENCY_TARGET_MS = 1000;
const STEPS_TARGET = 1000;
const WAIT_SECONDS = 1;
/** Ledger steps per run of the throughput workflow (add tag, wait, update field, send email). */
const STEPS_PER_RUN = 4;
const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- database ----------

async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN, connectionTimeoutMillis: 5000 });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropDatabase(name: string) {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

// ---------- the server process ----------

interface ServerProcess {
  child: ChildProcess;
  base: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** `npm start`'s build of the working tree, compiled into a folder of this run's own. */
async function startServer(buildDir: string, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(buildDir, 'src/server/main.js')], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: os.tmpdir(),
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_URL: base,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + String(d)).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killAll = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  process.once('exit', killAll);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the server exited (${child.exitCode}): ${out.slice(-2000)}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killAll();
      throw new Error(`the server did not answer /api/health in 120 s: ${out.slice(-2000)}`);
    }
    await sleep(200);
  }
  return {
    child,
    base,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(killAll, 40_000);
      const code = await exited;
      clearTimeout(timer);
      killAll();
      return code;
    },
  };
}

function api(base: string, key: string) {
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    post: <T>(url: string, body?: unknown) => call<T>('POST', url, body ?? {}),
    patch: <T>(url: string, body: unknown) => call<T>('PATCH', url, body),
  };
}

// ---------- CPU ----------

function cpuOf(pid: string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, USER_HZ = 100
  } catch {
    return undefined;
  }
}

/**
 * CPU (ms) of one process, of every PostgreSQL process on the host, and of the PostgreSQL
 * backends connected to `dbName` (their process title names the database), sampled every 500 ms.
 */
function cpuMeter(serverPid: number, dbName: string) {
  const server0 = cpuOf(String(serverPid)) ?? 0;
  let serverLast = server0;
  const seen = new Map<string, { first: number; last: number; ours: boolean }>();
  const sample = (initial: boolean) => {
    serverLast = cpuOf(String(serverPid)) ?? serverLast;
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let comm = '';
      try {
        comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
      if (comm !== 'postgres' && !comm.startsWith('postgres:')) continue;
      const ms = cpuOf(pid);
      if (ms === undefined) continue;
      const s = seen.get(pid);
      if (s) s.last = ms;
      else {
        let title = '';
        try {
          title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          // gone
        }
        seen.set(pid, { first: initial ? ms : 0, last: ms, ours: title.includes(` ${dbName} `) });
      }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 500);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      let postgresMs = 0;
      let oursMs = 0;
      for (const v of seen.values()) {
        postgresMs += v.last - v.first;
        if (v.ours) oursMs += v.last - v.first;
      }
      return { serverMs: serverLast - server0, postgresMs, oursMs };
    },
  };
}

/** Transactions and rows written in `dbName` (pg_stat_database, pg_stat_user_tables). */
async function dbCounters(db: pg.Client) {
  const [d] = (
    await db.query<{ commits: string; rollbacks: string; blks_hit: string; blks_read: string }>(
      `select xact_commit::text as commits, xact_rollback::text as rollbacks, blks_hit::text, blks_read::text
       from pg_stat_database where datname = current_database()`,
    )
  ).rows;
  const tables = (
    await db.query<{ t: string; ins: string; upd: string; hot: string; del: string }>(
      `select schemaname || '.' || relname as t, n_tup_ins::text as ins, n_tup_upd::text as upd,
         n_tup_hot_upd::text as hot, n_tup_del::text as del from pg_stat_user_tables`,
    )
  ).rows;
  // pg-boss 10 keeps each queue in its own partition (pgboss.j<hash>): name them by queue.
  const partitions = new Map(
    (
      await db.query<{ p: string; name: string }>(
        `select 'pgboss.' || partition_name as p, name from pgboss.queue where partition_name is not null`,
      )
    ).rows.map((r) => [r.p, `pgboss.job(${r.name})`]),
  );
  for (const t of tables) t.t = partitions.get(t.t) ?? t.t;
  return {
    commits: Number(d!.commits),
    rollbacks: Number(d!.rollbacks),
    blocks: Number(d!.blks_hit) + Number(d!.blks_read),
    tables: new Map(tables.map((t) => [t.t, { ins: +t.ins, upd: +t.upd, hot: +t.hot, del: +t.del }])),
  };
}

/** Per step: commits, and rows inserted/updated (HOT)/deleted per table (most first). */
function counterDelta(
  a: Awaited<ReturnType<typeof dbCounters>>,
  b: Awaited<ReturnType<typeof dbCounters>>,
  steps: number,
) {
  const per = (x: number) => r2(x / Math.max(1, steps));
  const rows: Array<[number, string]> = [];
  for (const [t, v] of b.tables) {
    const o = a.tables.get(t) ?? { ins: 0, upd: 0, hot: 0, del: 0 };
    const ins = v.ins - o.ins;
    const upd = v.upd - o.upd;
    const hot = v.hot - o.hot;
    const del = v.del - o.del;
    if (per(ins) + per(upd) + per(del) === 0) continue;
    rows.push([
      ins + upd + del,
      `${t} ${[ins ? `+${per(ins)}` : '', upd ? `~${per(upd)}${hot ? ` (HOT ${per(hot)})` : ''}` : '', del ? `-${per(del)}` : ''].filter(Boolean).join(' ')}`,
    ]);
  }
  return {
    commitsPerStep: per(b.commits - a.commits),
    rollbacksPerStep: per(b.rollbacks - a.rollbacks),
    blocksPerStep: per(b.blocks - a.blocks),
    rows: rows
      .sort((x, y) => y[0] - x[0])
      .map((r) => r[1])
      .join(', '),
  };
}

// ---------- seed ----------

interface Seeded {
  orgId: string;
  userId: string;
  key: string;
  templateId: string;
  senderId: string;
  segmentId: string;
  latencyContactIds: string[];
  seconds: number;
}

async function seed(db: pg.Client, contacts: number): Promise<Seeded> {
  const t0 = performance.now();
  const one = async <T>(text: string, values: unknown[] = []) => (await db.query(text, values)).rows[0] as T;
  const { id: userId } = await one<{ id: string }>(
    `insert into users (name, email, email_verified, age_confirmed, age_confirmed_at)
      values ('Bench Owner', 'owner@automations.bench.moxora.test', true, true, now()) returning id`,
  );
  const { id: orgId } = await one<{ id: string }>(
    `insert into organizations (name) values ('Example Automations Co') returning id`,
  );
  await db.query(`insert into members (org_id, user_id, role) values ($1, $2, 'owner')`, [orgId, userId]);
  // An API key (read_write: acts as a member), as createApiKey stores it.
  const key = `mox_${randomBytes(32).toString('base64url')}`;
  await db.query(
    `insert into api_keys (org_id, name, prefix, hash, scope, created_by) values ($1, 'bench', $2, $3, 'read_write', $4)`,
    [orgId, key.slice(0, 12), createHash('sha256').update(key).digest('hex'), userId],
  );
  const { id: senderId } = await one<{ id: string }>(
    `insert into senders (org_id, name, email, reply_to, is_default)
      values ($1, 'Example News', 'news@example.com', 'hello@example.com', true) returning id`,
    [orgId],
  );
  await db.query(
    `insert into email_settings (org_id, postal_address, time_zone, throttle_per_second)
      values ($1, '1 Bench Street, Springfield', 'UTC', 10000)`,
    [orgId],
  );
  const { id: templateId } = await one<{ id: string }>(
    `insert into templates (org_id, name, subject, format, body) values ($1, 'Welcome', $2, 'html', $3) returning id`,
    [
      orgId,
      'Welcome, {{ contact.firstName | default: "friend" }}',
      '<p>Hi {{ contact.firstName | default: "there" }},</p><p>Thanks for joining. <a href="https://example.com/start?utm_source=automation">Get started</a>.</p><p>The {{ organization.name }} team</p>',
    ],
  );
  await db.query(
    `insert into field_definitions (org_id, entity, key, label, type) values ($1, 'contact', 'stage', 'Stage', 'text')`,
    [orgId],
  );
  const { id: tagId } = await one<{ id: string }>(
    `insert into tags (org_id, name) values ($1, 'bench') returning id`,
    [orgId],
  );
  const { id: segmentId } = await one<{ id: string }>(
    `insert into segments (org_id, name, filter, created_by) values ($1, 'Bench audience', $2, $3) returning id`,
    [orgId, JSON.stringify({ field: 'tags', op: 'has_any', value: ['bench'] }), userId],
  );
  await db.query(
    `insert into contacts (org_id, first_name, last_name, email, subscription_status, consent_basis, consent_source,
       consent_at, tag_ids, source)
     select $1, (array['Ada','Ben','Chloé','Dmitri','Eve','Farah','Gus','Hana'])[1 + i % 8], 'Member ' || i,
       'member' || i || '@example.com', 'subscribed', 'consent', 'Bench seed', now(), array[$2::uuid], 'bench'
     from generate_series(1, $3::int) i`,
    [orgId, tagId, contacts],
  );
  const latency = await db.query<{ id: string }>(
    `insert into contacts (org_id, first_name, email, subscription_status, source)
     select $1, 'Latency ' || i, 'latency' || i || '@example.com', 'subscribed', 'bench'
     from generate_series(1, $2::int) i order by i returning id`,
    [orgId, LATENCY_SAMPLES],
  );
  await db.query('vacuum analyze contacts');
  return {
    orgId,
    userId,
    key,
    templateId,
    senderId,
    segmentId,
    latencyContactIds: latency.rows.map((r) => r.id),
    seconds: (performance.now() - t0) / 1000,
  };
}

function linear(trigger: unknown, steps: Array<Record<string, unknown>>): WorkflowDefinition {
  const nodes = [
    { id: 'trigger', type: 'trigger', trigger },
    ...steps.map((s, i) => ({ id: `s${i + 1}`, ...s })),
  ] as WorkflowNode[];
  const edges = nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id, exit: 'next' }));
  return { nodes, edges, settings: { reentry: false } };
}

// ---------- 1. trigger → first action ----------

async function latencyPhase(
  client: ReturnType<typeof api>,
  db: pg.Client,
  seeded: Seeded,
  log: (line: string) => void,
) {
  const a = await client.post<{ id: string }>('/api/v1/automations', {
    name: 'Bench trigger latency',
    definition: linear({ type: 'tag.added', tag: 'go' }, [{ type: 'add_tag', tag: 'went' }]),
  });
  await client.post(`/api/v1/automations/${a.id}/activate`);
  const ms: number[] = [];
  const seenMs: number[] = [];
  for (const contactId of seeded.latencyContactIds) {
    await client.patch(`/api/v1/contacts/${contactId}`, { tags: ['go'] });
    const answered = Date.now();
    const t0 = performance.now();
    const deadline = t0 + 30_000;
    for (;;) {
      const { rows } = await db.query<{ finished: string }>(
        `select (extract(epoch from s.finished_at) * 1000)::float8::text as finished
         from automation_runs r join automation_steps s on s.run_id = r.id and s.node_id = 's1'
         where r.automation_id = $1 and r.contact_id = $2 and s.state = 'done'`,
        [a.id, contactId],
      );
      if (rows[0]) {
        ms.push(Number(rows[0].finished) - answered);
        seenMs.push(performance.now() - t0);
        break;
      }
      if (performance.now() > deadline)
        throw new Error(`no first action 30 s after tagging contact ${contactId}`);
      await sleep(5);
    }
    await sleep(100); // idle between samples
  }
  await client.post(`/api/v1/automations/${a.id}/pause`);
  log(
    `trigger → first action: p50 ${r1(pct(ms, 50))} ms, p95 ${r1(pct(ms, 95))} ms, max ${r1(Math.max(...ms))} ms (${ms.length} samples)`,
  );
  return { ms, seenMs };
}

// ---------- 2. throughput ----------

interface DepthSample {
  t: number;
  created: number;
  retry: number;
  depth: number;
  runsEnded: number;
}

/** Samples pg_stat_activity of `dbName` every 50 ms: which statements the backends were in. */
function activityProfiler(url: string, dbName: string) {
  const client = new pg.Client({ connectionString: url });
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const done = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ q: string; w: string | null }>(
        `select regexp_replace(left(query, 160), '\\s+', ' ', 'g') as q, wait_event_type || ':' || wait_event as w
         from pg_stat_activity where datname = $1 and state = 'active' and pid <> pg_backend_pid()`,
        [dbName],
      );
      samples++;
      for (const r of rows) {
        const k = `${r.w ?? 'CPU'} | ${r.q}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      await sleep(50);
    }
    await client.end();
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return { samples, top: [...counts.entries()].sort((a, b) => b[1] - a[1]) };
    },
  };
}

async function throughputPhase(
  client: ReturnType<typeof api>,
  db: pg.Client,
  url: string,
  dbName: string,
  server: ServerProcess,
  sink: Awaited<ReturnType<typeof startSinkProcess>>,
  seeded: Seeded,
  contacts: number,
  log: (line: string) => void,
) {
  const a = await client.post<{ id: string }>('/api/v1/automations', {
    name: 'Bench onboarding',
    definition: linear({ type: 'manual' }, [
      { type: 'add_tag', tag: 'onboarded' },
      { type: 'wait', duration: { amount: WAIT_SECONDS, unit: 'seconds' } },
      { type: 'update_field', field: 'custom.stage', value: 'nurtured' },
      { type: 'send_email', templateId: seeded.templateId, senderId: seeded.senderId },
    ]),
  });
  await client.post(`/api/v1/automations/${a.id}/activate`);
  await sink.reset();

  const series: DepthSample[] = [];
  const profiler = process.argv.includes('--profile') ? activityProfiler(url, dbName) : undefined;
  const cpu = cpuMeter(server.child.pid!, dbName);
  const counters0 = await dbCounters(db);
  const t0 = performance.now();
  const wall0 = Date.now();
  let sampling = true;
  const sampleOnce = async () => {
    // Kept cheap, as this runs every second on the measured database: the jobs waiting to be
    // fetched (created, retry) through the queue's partial fetch index, and the ended runs by
    // index. The jobs in flight (active, at most workers × batch) are left out: counting them
    // reads the whole partition, completed jobs included (500,000 rows at the end of a 100k run).
    const { rows } = await db.query<Omit<DepthSample, 't' | 'depth'>>(
      `select
         count(*) filter (where j.state = 'created')::int as created,
         count(*) filter (where j.state = 'retry')::int as retry,
         (select count(*) from automation_runs where org_id = $2 and automation_id = $3
           and state in ('completed','exited','failed','canceled'))::int as "runsEnded"
       from pgboss.job j where j.name = $1 and j.state < 'active'`,
      [STEP_QUEUE, seeded.orgId, a.id],
    );
    const s = rows[0]!;
    series.push({ t: r2((performance.now() - t0) / 1000), ...s, depth: s.created + s.retry });
    return s;
  };
  const sampler = (async () => {
    while (sampling) {
      const next = performance.now() + 1000;
      await sampleOnce();
      await sleep(Math.max(0, next - performance.now()));
    }
  })();

  let enrolled = 0;
  let enrolMs = 0;
  try {
    const res = await client.post<{ enrolled: number; skipped: number }>(
      `/api/v1/automations/${a.id}/enrol`,
      { segmentId: seeded.segmentId },
    );
    enrolMs = performance.now() - t0;
    enrolled = res.enrolled;
    log(`enrolled ${res.enrolled} (skipped ${res.skipped}) in ${Math.round(enrolMs)} ms`);
    if (enrolled !== contacts) throw new Error(`enrolled ${enrolled} of ${contacts}`);
    const timeoutMs = Math.max(600_000, contacts * 100); // 100k: up to ~2.8 h on a slow host
    let lastLog = performance.now();
    for (;;) {
      await sleep(250);
      const last = series[series.length - 1];
      if (last && last.runsEnded >= enrolled) break;
      if (server.child.exitCode !== null)
        throw new Error(`the server exited (${server.child.exitCode}): ${server.output().slice(-2000)}`);
      if (performance.now() - t0 > timeoutMs)
        throw new Error(`runs not ended after ${timeoutMs / 1000} s: ${JSON.stringify(last)}`);
      if (performance.now() - lastLog > 15_000 && last) {
        lastLog = performance.now();
        log(
          `  ${Math.round(last.t)} s: ${last.runsEnded} runs ended, queue depth ${last.depth}, load ${os.loadavg()[0]!.toFixed(2)}`,
        );
      }
    }
  } finally {
    sampling = false;
    await sampler;
  }
  const runsSeconds = (performance.now() - t0) / 1000;
  const prof = await profiler?.stop();

  // Emails: the runner sends what the steps queued; wait until none is left queued or sending.
  const mailDeadline = performance.now() + Math.max(300_000, contacts * 20);
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from email_sends where org_id = $1 and kind = 'automation' and state in ('queued','sending')`,
      [seeded.orgId],
    );
    if (rows[0]!.n === 0) break;
    if (performance.now() > mailDeadline) throw new Error(`${rows[0]!.n} automation emails still queued`);
    await sleep(250);
  }
  const mailSeconds = (performance.now() - t0) / 1000;
  const cpuMs = cpu.stop();
  const counters1 = await dbCounters(db);
  const sinkStats = await sink.stats();

  const [ledger] = (
    await db.query<{ done: number; other: number; first: string; last: string; runs_last: string }>(
      `select count(*) filter (where state = 'done')::int as done, count(*) filter (where state <> 'done')::int as other,
         (extract(epoch from min(started_at)) * 1000)::float8::text as first,
         (extract(epoch from max(finished_at)) * 1000)::float8::text as last,
         (select (extract(epoch from max(ended_at)) * 1000)::float8::text from automation_runs where automation_id = $1) as runs_last
       from automation_steps where automation_id = $1`,
      [a.id],
    )
  ).rows;
  const runStates = Object.fromEntries(
    (
      await db.query<{ state: string; n: number }>(
        `select state, count(*)::int as n from automation_runs where automation_id = $1 group by state`,
        [a.id],
      )
    ).rows.map((r) => [r.state, r.n]),
  ) as Record<string, number>;
  const perSecond = (
    await db.query<{ s: number; n: number }>(
      `select floor(extract(epoch from finished_at) - $2::float8 / 1000)::int as s, count(*)::int as n
       from automation_steps where automation_id = $1 and state = 'done' group by 1 order by 1`,
      [a.id, wall0],
    )
  ).rows;
  const [jobs] = (
    await db.query<{ n: number }>(
      `select ((select count(*) from pgboss.job where name = $1 and state = 'completed')
        + (select count(*) from pgboss.archive where name = $1 and state = 'completed'))::int as n`,
      [STEP_QUEUE],
    )
  ).rows;
  const sends = Object.fromEntries(
    (
      await db.query<{ state: string; n: number }>(
        `select state, count(*)::int as n from email_sends where org_id = $1 and kind = 'automation' group by state`,
        [seeded.orgId],
      )
    ).rows.map((r) => [r.state, r.n]),
  ) as Record<string, number>;
  const lastStepS = (Number(ledger!.last) - wall0) / 1000;
  const runsEndedS = (Number(ledger!.runs_last) - wall0) / 1000;
  const activeS = Math.max(0.001, lastStepS - enrolMs / 1000 - WAIT_SECONDS);
  const perStep = counterDelta(counters0, counters1, ledger!.done);
  return {
    automationId: a.id,
    enrolled,
    enrolMs,
    series,
    perSecond,
    stepsDone: ledger!.done,
    stepsOther: ledger!.other,
    stepsPerSecond: ledger!.done / activeS,
    activeS,
    lastStepS,
    runsEndedS,
    runsSeconds,
    mailSeconds,
    runStates,
    jobsCompleted: jobs!.n,
    sends,
    sink: sinkStats,
    cpuMs,
    perStep,
    profile: prof,
  };
}

// ---------- 3. bare pg-boss ----------

/**
 * Bare pg-boss with the engine's job pattern: `chains` first jobs inserted at once (as one enrol
 * statement does), then each handled job sends its chain's next job (one send per job, as each
 * step enqueues its successor) until every chain has had `perChain` jobs. Workers as lib/jobs.ts
 * registers them (batched, every job of a batch at once, fetch again at once).
 */
async function barePgBoss(
  url: string,
  chains: number,
  perChain: number,
  workers: number,
  batchSize: number,
  poolSize: number,
) {
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss_bare',
    max: poolSize,
    supervise: false,
    schedule: false,
    migrate: true,
  });
  boss.on('error', () => {});
  await boss.start();
  const name = 'bare.step';
  await boss.createQueue(name, {
    name,
    retryLimit: 10,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: 300,
    retentionDays: 1,
  });
  const total = chains * perChain;
  const t0 = performance.now();
  const chunk = 1000;
  for (let i = 0; i < chains; i += chunk) {
    await boss.insert(
      Array.from({ length: Math.min(chunk, chains - i) }, (_, k) => ({
        name,
        data: { chain: i + k, step: 0, pad: randomBytes(16).toString('hex') },
      })),
    );
  }
  const insertS = (performance.now() - t0) / 1000;
  let handled = 0;
  for (let w = 0; w < workers; w++) {
    let myId: string | undefined;
    myId = await boss.work<{ chain: number; step: number; pad: string }>(
      name,
      { batchSize, pollingIntervalSeconds: 1, includeMetadata: true },
      async (batch) => {
        if (batch.length === 0) return;
        await Promise.all(
          batch.map(async (job) => {
            const { chain, step, pad } = job.data;
            if (step + 1 < perChain) await boss.send(name, { chain, step: step + 1, pad });
          }),
        );
        handled += batch.length;
        if (myId) boss.notifyWorker(myId);
      },
    );
  }
  // Done = every job completed in the table (pg-boss completes a batch after its handler returns).
  const watch = new pg.Client({ connectionString: url });
  await watch.connect();
  // A bare loop slower than this is stopped and measured on the jobs completed so far.
  const limitS = Number(process.env.BENCH_AUTOMATIONS_BARE_LIMIT_S ?? 1200);
  let completed = total;
  for (;;) {
    await sleep(100);
    if ((performance.now() - t0) / 1000 > limitS) {
      const { rows } = await watch.query<{ n: number }>(
        `select count(*)::int as n from pgboss_bare.job where name = $1 and state = 'completed'`,
        [name],
      );
      completed = rows[0]!.n;
      break;
    }
    if (handled < total) continue;
    const { rows } = await watch.query<{ n: number }>(
      `select count(*)::int as n from pgboss_bare.job where name = $1 and state <> 'completed'`,
      [name],
    );
    if (rows[0]!.n === 0) break;
  }
  const totalS = (performance.now() - t0) / 1000;
  await watch.end();
  await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  return { insertS, totalS, total, completed, perSecond: completed / totalS };
}

// ---------- the suite ----------

export async function automationsBench(): Promise<BenchResult[]> {
  const contacts = Number(process.env.BENCH_AUTOMATIONS_CONTACTS ?? 100_000);
  const dbName = process.env.BENCH_AUTOMATIONS_DATABASE ?? 'moxora_bench_automations';
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`unexpected database name ${dbName}`);
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  // The server's settings: its defaults unless this process's environment sets them.
  const serverEnv: Record<string, string> = {};
  for (const k of ['WORKER_CONCURRENCY', 'AUTOMATION_STEP_BATCH', 'DATABASE_POOL_SIZE', 'SEND_CONCURRENCY']) {
    const v = process.env[k];
    if (v) serverEnv[k] = v;
  }
  const config = loadConfig({ NODE_ENV: 'production', ...serverEnv });
  const bareChains = Number(process.env.BENCH_AUTOMATIONS_BARE_RUNS ?? contacts);
  const asyncCommit = process.argv.includes('--async-commit');
  const withOptions = (u: string) => {
    if (!asyncCommit) return u;
    const x = new URL(u);
    x.searchParams.set('options', '-c synchronous_commit=off');
    return x.toString();
  };

  let url: string;
  try {
    url = await freshDatabase(dbName);
  } catch (err) {
    log(`automations: PostgreSQL unreachable at ${ADMIN} (${(err as Error).message}); skipped`);
    return [];
  }
  const root = path.resolve(import.meta.dirname, '..');
  const buildDir = path.join(root, '.tmp', `bench-automations-server-${process.pid}`);
  const dataDir = path.join(root, '.tmp', 'bench-automations-data');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const sink = await startSinkProcess();
  let server: ServerProcess | undefined;
  const db = new pg.Client({ connectionString: url });
  const load0 = os.loadavg()[0]!;
  try {
    log('compiling the server (npm start build)…');
    await buildServer(buildDir);
    server = await startServer(buildDir, {
      DATABASE_URL: withOptions(url),
      MOXORA_DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      ...serverEnv,
    });
    log(`server up at ${server.base} (pid ${server.child.pid})`);
    await db.connect();
    const seeded = await seed(db, contacts);
    log(`seeded ${contacts} subscribed contacts in ${r1(seeded.seconds)} s`);
    const client = api(server.base, seeded.key);

    const latency = await latencyPhase(client, db, seeded, log);
    log(`throughput: ${contacts} runs of add tag → wait ${WAIT_SECONDS} s → update field → send email…`);
    const t = await throughputPhase(client, db, url, dbName, server, sink, seeded, contacts, log);
    const code = await server.stop();
    server = undefined;
    log(
      `  ${Math.round(t.stepsPerSecond)} steps/s; all runs ended after ${r1(t.runsEndedS)} s; server exited ${code}`,
    );

    log(
      `bare pg-boss: ${bareChains} chains of ${STEPS_PER_RUN} jobs, ${config.workerConcurrency} workers × batch ${config.automationStepBatch}…`,
    );
    const bare = await barePgBoss(
      withOptions(url),
      bareChains,
      STEPS_PER_RUN,
      config.workerConcurrency,
      config.automationStepBatch,
      config.databasePoolSize,
    );
    log(
      `  ${Math.round(bare.perSecond)} jobs/s (${bare.completed} of ${bare.total} jobs in ${r1(bare.totalS)} s${bare.completed < bare.total ? ', stopped at BENCH_AUTOMATIONS_BARE_LIMIT_S' : ''})`,
    );
    const load1 = os.loadavg()[0]!;

    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS_DIR, 'automations-queue-depth.json'),
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          contacts,
          note: 't = seconds since the enrol call; depth = created + retry step jobs, waiting to be fetched (delayed waits included; the jobs in flight, at most workers × batch, left out)',
          series: t.series,
          stepsFinishedPerSecond: t.perSecond,
        },
        null,
        2,
      )}\n`,
    );
    if (t.profile) {
      const lines = t.profile.top
        .slice(0, 40)
        .map(([k, n]) => `${String(n).padStart(6)}  ${r1((n / t.profile!.samples) * 100)}%  ${k}`);
      const text = `pg_stat_activity samples every 50 ms: ${t.profile.samples}; backends seen per statement (wait event | query)\n${lines.join('\n')}\n`;
      fs.writeFileSync(path.join(RESULTS_DIR, 'automations-profile.txt'), text);
      process.stdout.write(`\n${text}\n`);
    }

    const depths = t.series.map((s) => s.depth);
    const busy = t.perSecond.filter((b) => b.s >= 0).map((b) => b.n);
    // Sustained: per-second finished steps, the first and last (partial) seconds left out.
    const inner = busy.length > 2 ? busy.slice(1, -1) : busy;
    const ratio = r2(t.stepsPerSecond / bare.perSecond);
    const machine = `host load ${load0.toFixed(2)} → ${load1.toFixed(2)} (${os.cpus().length} CPUs)`;
    const settings = `${asyncCommit ? 'synchronous_commit=off, ' : ''}WORKER_CONCURRENCY=${config.workerConcurrency}, AUTOMATION_STEP_BATCH=${config.automationStepBatch}, DATABASE_POOL_SIZE=${config.databasePoolSize}`;
    const expectedEmails = contacts;
    return [
      {
        name: `automation steps, ${contacts} runs of add tag → wait 1 s → update field → send email (server process, ${settings})`,
        value: Math.round(t.stepsPerSecond),
        unit: 'steps/s',
        baseline: Math.round(bare.perSecond),
        ratio,
        pass: t.stepsPerSecond >= STEPS_TARGET,
        note:
          `target ≥ ${STEPS_TARGET} steps/s; ${t.stepsDone} ledger steps done (${t.stepsOther} not done) in ${r1(t.activeS)} s ` +
          `(enrol call → last step finished ${r1(t.lastStepS)} s, minus the enrol call ${Math.round(t.enrolMs)} ms and the ${WAIT_SECONDS} s wait); ` +
          `per-second finished steps p50 ${pct(inner, 50) ?? ''}, max ${Math.max(0, ...inner)}; ` +
          `${t.jobsCompleted} step jobs completed (${r2(t.jobsCompleted / Math.max(1, t.enrolled))}/run: the wait is two); ` +
          `CPU ms/step (until the last email left): server process ${r2(t.cpuMs.serverMs / Math.max(1, t.stepsDone))}, ` +
          `this database's PostgreSQL backends ${r2(t.cpuMs.oursMs / Math.max(1, t.stepsDone))} (all PostgreSQL on the host ${r2(t.cpuMs.postgresMs / Math.max(1, t.stepsDone))}); ` +
          `per step: ${t.perStep.commitsPerStep} commits, ${t.perStep.blocksPerStep} buffer reads; rows per step: ${t.perStep.rows}; ${machine}`,
      },
      {
        name: `  bare pg-boss ${pgBossVersion()} send/fetch/complete loop, ${bare.total} jobs (${bareChains} chains of ${STEPS_PER_RUN}, ${config.workerConcurrency} workers × batch ${config.automationStepBatch}, same database${asyncCommit ? ', synchronous_commit=off' : ''})`,
        value: Math.round(bare.perSecond),
        unit: 'jobs/s',
        baseline: Math.round(bare.perSecond),
        ratio: 1,
        note: `${bareChains} first jobs inserted (1,000 per statement, ${r1(bare.insertS)} s), then each handled job sends its chain's next one; ${bare.completed < bare.total ? `stopped at the time limit with ${bare.completed} of ${bare.total} completed` : `all ${bare.total} completed`} after ${r1(bare.totalS)} s; run after the server stopped, in its own schema`,
      },
      {
        name: `  time until all ${contacts} runs ended (enrol call → last run ended)`,
        value: r1(t.runsEndedS),
        unit: 's',
        note: `runs ${JSON.stringify(t.runStates)}; enrol call (POST /enrol {segmentId}) ${Math.round(t.enrolMs)} ms; all emails out of the send ledger after ${r1(t.mailSeconds)} s`,
      },
      {
        name: '  queue depth (automations.step jobs waiting to be fetched, created/retry, every 1 s)',
        value: Math.max(0, ...depths),
        unit: 'jobs max',
        samples: depths.length,
        note: `min ${Math.min(...depths)}, max ${Math.max(...depths)}, p50 ${pct(depths, 50)}, samples ${depths.length}; series in bench/results/automations-queue-depth.json`,
      },
      {
        name: '  emails at the SMTP sink',
        value: t.sink.messages,
        unit: 'messages',
        pass: t.sink.messages === expectedEmails && t.sink.distinct === expectedEmails,
        note: `expected ${expectedEmails}; distinct recipients ${t.sink.distinct}; send ledger ${JSON.stringify(t.sends)}`,
      },
      {
        name: `trigger → first action (PATCH contact tags → ledger finished_at of 'add tag'), ${latency.ms.length} contacts one by one`,
        value: r1(pct(latency.ms, 95)),
        unit: 'ms p95',
        p50Ms: r1(pct(latency.ms, 50)),
        p95Ms: r1(pct(latency.ms, 95)),
        p99Ms: r1(pct(latency.ms, 99)),
        targetMs: LATENCY_TARGET_MS,
        pass: pct(latency.ms, 95) <= LATENCY_TARGET_MS,
        samples: latency.ms.length,
        note: `max ${r1(Math.max(...latency.ms))} ms; seen by a 5 ms poll: p50 ${r1(pct(latency.seenMs, 50))}, p95 ${r1(pct(latency.seenMs, 95))} ms; before the throughput run, ${machine}`,
      },
    ];
  } catch (err) {
    if (server) log(`server output (tail):\n${server.output().slice(-3000)}`);
    throw err;
  } finally {
    await db.end().catch(() => {});
    if (server) await server.stop().catch(() => {});
    await sink.close();
    fs.rmSync(buildDir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP !== '1') {
      await dropDatabase(dbName).catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

function pgBossVersion(): string {
  try {
    const p = path.resolve(import.meta.dirname, '../node_modules/pg-boss/package.json');
    return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version: string }).version;
  } catch {
    return '10';
  }
}
