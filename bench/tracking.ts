import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp, createRuntime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import { openPostgres } from '../src/server/lib/db.js';
import { signToken } from '../src/server/lib/tokens.js';
import { PIXEL_GIF, trackingBufferOf } from '../src/server/modules/tracking/tracking.routes.js';
import type { BenchResult } from './run.js';

/**
 * Tracking hot path (`npm run bench tracking`), one run, same machine, same client:
 *   1. a bare node:http server answering the same 43-byte GIF (the ceiling),
 *   2. Moxora's open pixel GET /e/o/<token>.gif (token verified, event buffered),
 *   3. Moxora's click GET /e/c/<token> (token verified, link URL from the LRU, 302, event buffered),
 * each with autocannon (50 connections, ~BENCH_TRACKING_SECONDS = 10 s) over 10,000 seeded sends of
 * one campaign (every request names another message). Targets: ours/bare ≥ 0.4×, p99 ≤ 25 ms.
 * Then a graceful close (app.close() writes the buffer) and the check that email_events holds
 * exactly one row per answered request (2xx pixels + 3xx redirects, warm-ups included).
 *
 * Each run is a fixed number of requests (the warm-up's rate × the seconds), not a duration:
 * autocannon then waits for every response, so its count is exact (a timed run stops with
 * requests in flight that the server answered and recorded but autocannon did not count).
 *
 * Env: BENCH_TRACKING_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/moxora_bench_tracking;
 * the database is dropped and created again), BENCH_TRACKING_SECONDS (default 10).
 */

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/moxora_bench_tracking';
const SENDS = 10_000;
const LINKS = 5;
const CONNECTIONS = 50;
const RATIO_TARGET = 0.4;
const P99_TARGET_MS = 25;
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

interface Load {
  requests: number;
  requestsPerSec: number;
  p50: number;
  p99: number;
  ok: number; // 2xx + 3xx
  bad: number;
  errors: number;
  seconds: number;
}

async function load(port: number, paths: string[], amount: number): Promise<Load> {
  let i = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    pipelining: 1,
    amount,
    headers: { 'user-agent': UA },
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }),
      },
    ],
  });
  const counts = r as unknown as Record<'2xx' | '3xx' | '4xx' | '5xx', number>;
  return {
    requests: r.requests.total,
    requestsPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: counts['2xx'] + counts['3xx'],
    bad: counts['4xx'] + counts['5xx'],
    errors: r.errors + r.timeouts,
    seconds: r.duration,
  };
}

/** Warm-up (JIT, pools, the link cache), then a run of ~`seconds` at the warm-up's rate. */
async function measure(port: number, paths: string[], seconds: number) {
  const warm = await load(port, paths, 20_000);
  const amount = Math.max(10_000, Math.round((warm.ok / Math.max(warm.seconds, 0.1)) * seconds));
  const run = await load(port, paths, amount);
  return { warm, run };
}

function adminUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

export async function trackingBench(): Promise<BenchResult[]> {
  const seconds = Number(process.env.BENCH_TRACKING_SECONDS ?? 10);
  const url = process.env.BENCH_TRACKING_DATABASE_URL ?? DEFAULT_URL;
  const dbName = new URL(url).pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`unexpected bench database name ${dbName}`);
  const admin = new pg.Client({ connectionString: adminUrlOf(url), connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    process.stdout.write(
      `tracking: no PostgreSQL at ${adminUrlOf(url)} (${(err as Error).message}); skipped\n`,
    );
    return [];
  }
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  await admin.end();

  // ---- the bare server: the same bytes and content headers, nothing else ----
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'image/gif',
      'content-length': PIXEL_GIF.length,
      'cache-control': 'no-store, private',
    });
    res.end(PIXEL_GIF);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as AddressInfo).port;

  // ---- the app, production mode, logging off, on the fresh database ----
  const dataDir = '.tmp/bench-tracking';
  fs.mkdirSync(dataDir, { recursive: true });
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    MOXORA_DATA_DIR: dataDir,
    BASE_URL: 'http://127.0.0.1:3000',
  });
  const database = await openPostgres(url, 10);
  const runtime = await createRuntime(config, { database }); // migrates
  const { app } = await buildApp(runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appPort = (app.server.address() as AddressInfo).port;
  let appClosed = false;

  try {
    // ---- seed: one organisation, one sent campaign, 10,000 contacts and sends, 5 links ----
    const q = <R>(text: string, values?: unknown[]) => database.query<R>(text, values).then((r) => r.rows);
    const [org] = await q<{ id: string }>(
      "insert into organizations (name) values ('Bench tracking') returning id",
    );
    const orgId = org!.id;
    const [campaign] = await q<{ id: string }>(
      "insert into campaigns (org_id, name, status) values ($1, 'Bench campaign', 'sent') returning id",
      [orgId],
    );
    await q(
      `insert into contacts (org_id, first_name, email, subscription_status)
       select $1, 'Person ' || g, 'person' || g || '@bench.moxora.test', 'subscribed'
       from generate_series(1, $2::int) g`,
      [orgId, SENDS],
    );
    const sends = await q<{ id: string }>(
      `insert into email_sends (org_id, campaign_id, contact_id, kind, email, state, message_id, sent_at)
       select c.org_id, $2, c.id, 'campaign', c.email, 'sent', '<' || gen_random_uuid() || '@bench>',
              now() - interval '1 hour'
       from contacts c where c.org_id = $1 order by c.id
       returning id`,
      [orgId, campaign!.id],
    );
    const links = await q<{ id: string }>(
      `insert into email_links (org_id, campaign_id, url)
       select $1, $2, 'https://example.com/page-' || g from generate_series(1, $3::int) g returning id`,
      [orgId, campaign!.id, LINKS],
    );
    const keys = runtime.keys;
    const pixelPaths = sends.map((s) => `/e/o/${signToken(keys, 'open', s.id)}.gif`);
    // One link per message (index by message): no message sees 3 distinct links, so no burst rule.
    const clickPaths = sends.map(
      (s, i) => `/e/c/${signToken(keys, 'click', s.id, Number(links[i % LINKS]!.id))}`,
    );
    const buffer = trackingBufferOf(app)!;

    process.stdout.write(
      `  seeded ${sends.length} sends; ~${seconds} s per scenario, ${CONNECTIONS} connections\n`,
    );
    const bareM = await measure(barePort, pixelPaths, seconds);
    process.stdout.write(`  bare: ${bareM.run.requestsPerSec} req/s\n`);
    const pixelM = await measure(appPort, pixelPaths, seconds);
    process.stdout.write(`  pixel: ${pixelM.run.requestsPerSec} req/s, ${buffer.pending} events waiting\n`);
    let t = performance.now();
    await buffer.flush();
    const pixelDrainMs = Math.round(performance.now() - t);
    const clickM = await measure(appPort, clickPaths, seconds);
    process.stdout.write(`  click: ${clickM.run.requestsPerSec} req/s, ${buffer.pending} events waiting\n`);

    // ---- graceful close: app.close() writes what is still buffered ----
    const waiting = buffer.pending;
    t = performance.now();
    await app.close();
    appClosed = true;
    const closeMs = Math.round(performance.now() - t);
    const [counted] = await q<{ n: number; machine: number }>(
      'select count(*)::int as n, count(*) filter (where machine)::int as machine from email_events',
    );
    const answered = [pixelM.warm, pixelM.run, clickM.warm, clickM.run].reduce((n, l) => n + l.ok, 0);
    const failed = [pixelM.warm, pixelM.run, clickM.warm, clickM.run].reduce(
      (n, l) => n + l.bad + l.errors,
      0,
    );
    const match = counted!.n === answered;

    const row = (name: string, l: Load, base: Load, note?: string): BenchResult => {
      const ratio = Math.round((l.requestsPerSec / base.requestsPerSec) * 1000) / 1000;
      const pass = base === l ? undefined : ratio >= RATIO_TARGET && l.p99 <= P99_TARGET_MS;
      return {
        name,
        value: l.requestsPerSec,
        unit: 'req/s',
        p50Ms: l.p50,
        p99Ms: l.p99,
        baseline: base.requestsPerSec,
        ratio,
        ...(pass === undefined ? {} : { pass }),
        samples: l.requests,
        note: [
          pass === undefined
            ? undefined
            : `target ≥ ${RATIO_TARGET}× and p99 ≤ ${P99_TARGET_MS} ms: ${pass ? 'PASS' : 'FAIL'}`,
          l.bad || l.errors ? `${l.bad} 4xx/5xx, ${l.errors} errors` : undefined,
          note,
        ]
          .filter(Boolean)
          .join('; '),
      };
    };
    return [
      row('bare node:http GIF (baseline)', bareM.run, bareM.run),
      row(
        'GET /e/o/<token>.gif (open pixel)',
        pixelM.run,
        bareM.run,
        `buffer written ${pixelDrainMs} ms after the run`,
      ),
      row('GET /e/c/<token> (click, 302)', clickM.run, bareM.run),
      {
        name: 'graceful close: email_events rows = answered requests',
        value: counted!.n,
        unit: 'rows',
        baseline: answered,
        pass: match && failed === 0,
        note: `${answered} answered (2xx pixels + 3xx clicks, warm-ups included), ${failed} failed; ${waiting} events were still buffered at close, written in ${closeMs} ms; ${counted!.machine} machine; ${match ? 'MATCH' : 'MISMATCH'}`,
      },
    ];
  } finally {
    if (!appClosed) await app.close().catch(() => {});
    await runtime.close();
    await new Promise<void>((r) => bare.close(() => r()));
    const cleanup = new pg.Client({ connectionString: adminUrlOf(url) });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await cleanup.end();
  }
}
