import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { buildApp, createRuntime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import type { Ctx } from '../src/server/lib/context.js';
import type { Database } from '../src/server/lib/db.js';
import { createApiKey } from '../src/server/modules/api-keys/api-keys.service.js';
import { createImport, startImport } from '../src/server/modules/imports/imports.service.js';
import { generateCsv } from './csv-data.js';
import { benchDatabase, setupOrg } from './imports.js';
import type { BenchResult } from './run.js';

/**
 * The app while a large import runs in the same process (`npm start`: API + workers in one
 * process): p95 of `GET /api/health` and of the first page of `GET /api/v1/contacts`, measured
 * by clients in a worker thread (a client on the server's own event loop would not see the time
 * that loop is blocked), idle first and then during the import, in the same run; and how often
 * the import's progress (`rows_done`, `heartbeat_at`) moves, as the UI polls it.
 * Targets: p95 ≤ 100 ms during the import, progress at least every 2 s.
 * `npm run bench import-responsiveness`; BENCH_RESPONSIVE_ROWS (default 1,000,000); DATABASE_URL
 * or BENCH_ADMIN_URL (the machine's PostgreSQL), or BENCH_EMBEDDED=1.
 */
const ROWS = Number(process.env.BENCH_RESPONSIVE_ROWS ?? 1_000_000);
const DIR = path.resolve('.tmp/bench-imports');
const CLIENTS = 2;
const PAUSE_MS = 20;

/** Plain JavaScript for the load thread: each client alternates health and list until told to stop. */
const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { base, key, clients, pauseMs } = workerData;
const samples = { health: [], list: [] };
let stop = false;
parentPort.on('message', (m) => { if (m === 'stop') stop = true; });
async function timed(kind, url, headers) {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(kind + ' answered ' + res.status);
  samples[kind].push(performance.now() - t0);
}
async function client() {
  while (!stop) {
    await timed('health', base + '/api/health', {});
    await timed('list', base + '/api/v1/contacts?limit=50', { authorization: 'Bearer ' + key });
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
Promise.all(Array.from({ length: clients }, client)).then(
  () => parentPort.postMessage({ samples }),
  (err) => parentPort.postMessage({ error: String(err && err.message || err) }),
);
`;

interface Samples {
  health: number[];
  list: number[];
}

async function measure(base: string, key: string, until: () => Promise<void>): Promise<Samples> {
  const worker = new Worker(CLIENT_CODE, {
    eval: true,
    workerData: { base, key, clients: CLIENTS, pauseMs: PAUSE_MS },
  });
  const done = new Promise<Samples>((resolve, reject) => {
    worker.once('message', (m: { samples?: Samples; error?: string }) =>
      m.samples ? resolve(m.samples) : reject(new Error(m.error)),
    );
    worker.once('error', reject);
  });
  try {
    await until();
  } finally {
    worker.postMessage('stop');
  }
  const s = await done;
  await worker.terminate();
  return s;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

export async function importResponsivenessBenchmark(): Promise<BenchResult[]> {
  const file = path.join(DIR, `contacts-${ROWS}.csv`);
  await generateCsv(file, ROWS);
  const dataDir = path.join(DIR, 'data-responsive');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const target = await benchDatabase('moxora_bench_responsive', dataDir);
  if (!target) return [];
  const { database, url } = target;
  await database.migrate();
  const ids = await setupOrg(database);
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    MOXORA_DATA_DIR: dataDir,
    ...(url ? { DATABASE_URL: url } : {}),
  });
  const runtime = await createRuntime(config, { database });
  const { app } = await buildApp(runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await runtime.jobs.startWorkers();
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const ctx: Ctx = {
    orgId: ids.orgId,
    userId: ids.userId,
    role: 'owner',
    name: 'Bench',
    email: 'bench@example.com',
    actor: { type: 'user', id: ids.userId },
    deps: runtime.deps,
  };
  // Progress is read as the UI's polling would: a query on the app's pool.
  const watcher = database;
  try {
    const { key } = await createApiKey(ctx, { name: 'bench', scope: 'read' });
    // A few contacts, so the idle list is not an empty page.
    const small = path.join(DIR, 'contacts-2000.csv');
    await generateCsv(small, 2000);
    await runImport(ctx, small, watcher);

    const idleDelay = monitorEventLoopDelay({ resolution: 10 });
    idleDelay.enable();
    const idleEnd = performance.now() + 5000;
    const idle = await measure(base, key, async () => {
      while (performance.now() < idleEnd) await new Promise((r) => setTimeout(r, 100));
    });
    idleDelay.disable();

    const busyDelay = monitorEventLoopDelay({ resolution: 10 });
    let run: Awaited<ReturnType<typeof runImport>> | undefined;
    const busy = await measure(base, key, async () => {
      busyDelay.enable();
      run = await runImport(ctx, file, watcher);
      busyDelay.disable();
    });
    const imp = run!;
    const row = (name: string, during: number[], before: number[]): BenchResult => ({
      name,
      value: r1(pct(during, 95)),
      unit: 'ms p95',
      p50Ms: r1(pct(during, 50)),
      p95Ms: r1(pct(during, 95)),
      p99Ms: r1(pct(during, 99)),
      baseline: r1(pct(before, 95)),
      ratio: r1(pct(during, 95) / pct(before, 95)),
      targetMs: 100,
      pass: pct(during, 95) <= 100,
      samples: during.length,
      note: `idle p95 ${r1(pct(before, 95))} ms, max during ${r1(Math.max(...during))} ms`,
    });
    return [
      row(`GET /api/health during a ${ROWS}-row import (same process)`, busy.health, idle.health),
      row('GET /api/v1/contacts first page during the import', busy.list, idle.list),
      {
        name: 'event loop delay during the import',
        value: r1(busyDelay.percentile(99) / 1e6),
        unit: 'ms p99',
        baseline: r1(idleDelay.percentile(99) / 1e6),
        ratio: r1(busyDelay.percentile(99) / Math.max(idleDelay.percentile(99), 1)),
        note: `max ${r1(busyDelay.max / 1e6)} ms (idle max ${r1(idleDelay.max / 1e6)} ms)`,
      },
      {
        name: 'import progress: longest gap between rows_done moves',
        value: r1(imp.maxGapMs / 1000),
        unit: 's',
        note: `first progress ${r1(imp.firstMs / 1000)} s after the job started; heartbeat longest gap ${r1(imp.maxHeartbeatGapMs / 1000)} s; target ≤ 2 s`,
        pass: imp.maxGapMs <= 2000 && imp.firstMs <= 2000,
      },
      {
        name: 'the import itself (in the serving process, under load)',
        value: r1(imp.seconds),
        unit: 's',
        note: `${imp.status}, ${imp.rowsDone} rows, ${Math.round(imp.rowsDone / imp.seconds)} rows/s`,
      },
    ];
  } finally {
    await app.close();
    await runtime.close();
  }
}

/**
 * Uploads `file` (as the upload route would leave it), starts the import as its job, and polls its
 * row every 50 ms until it ends: the gaps between moves of rows_done and heartbeat_at.
 */
async function runImport(ctx: Ctx, file: string, watcher: Database) {
  const tmp = path.join(ctx.deps.config.dataDir, `upload-${Date.now()}.csv`);
  fs.copyFileSync(file, tmp);
  const created = await createImport(ctx, {
    fileName: path.basename(file),
    tmpFile: tmp,
    size: fs.statSync(tmp).size,
  });
  await startImport(ctx, created.id, {
    mapping: created.suggestedMapping!,
    duplicatePolicy: 'create_update',
    dryRun: false,
    extraTags: [],
  });
  let startedAt: number | undefined;
  let lastMove = 0;
  let lastBeat = 0;
  let firstMs = Number.NaN;
  let maxGapMs = 0;
  let maxHeartbeatGapMs = 0;
  let rowsDone = 0;
  let beat = '';
  for (;;) {
    const s = (
      await watcher.query<{ status: string; rows_done: number; heartbeat_at: Date | string | null }>(
        'select status, rows_done, heartbeat_at from imports where id = $1',
        [created.id],
      )
    ).rows[0]!;
    const now = performance.now();
    if (s.status === 'running' && startedAt === undefined) {
      startedAt = lastMove = lastBeat = now;
    }
    if (startedAt !== undefined) {
      if (s.rows_done !== rowsDone) {
        if (rowsDone === 0) firstMs = now - startedAt;
        maxGapMs = Math.max(maxGapMs, now - lastMove);
        lastMove = now;
        rowsDone = s.rows_done;
      }
      const b = String(s.heartbeat_at);
      if (b !== beat) {
        maxHeartbeatGapMs = Math.max(maxHeartbeatGapMs, now - lastBeat);
        lastBeat = now;
        beat = b;
      }
    }
    if (s.status !== 'running' && s.status !== 'queued') {
      return {
        status: s.status,
        rowsDone: s.rows_done,
        seconds: (now - (startedAt ?? now)) / 1000,
        firstMs,
        maxGapMs,
        maxHeartbeatGapMs,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
