import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { buildApp, createRuntime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import { openEmbedded, openPostgres } from '../src/server/lib/db.js';
import type { BenchResult } from './run.js';

interface Load {
  requestsPerSec: number;
  p50: number;
  p97_5: number;
  p99: number;
  non2xx: number;
}

async function load(url: string, seconds: number, connections = 50): Promise<Load> {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return {
    requestsPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p97_5: r.latency.p97_5,
    p99: r.latency.p99,
    non2xx: r.non2xx,
  };
}

/**
 * HTTP baseline: Moxora's Fastify stack (security headers, request ids, logging off, the error
 * handler) on a trivial route vs a bare Node `http` server answering the same JSON, same run.
 */
export async function httpBaseline(seconds: number): Promise<BenchResult[]> {
  const body = JSON.stringify({ status: 'ok' });
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as AddressInfo).port;

  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    MOXORA_DATA_DIR: '.tmp/bench-http',
  });
  const dbUrl = process.env.DATABASE_URL;
  const database = dbUrl ? await openPostgres(dbUrl, 10) : await openEmbedded('.tmp/bench-http');
  const runtime = await createRuntime(config, { database });
  const { app } = await buildApp(runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appPort = (app.server.address() as AddressInfo).port;

  try {
    await load(`http://127.0.0.1:${barePort}/`, 1); // warm-up
    await load(`http://127.0.0.1:${appPort}/api/health`, 1);
    const bareRun = await load(`http://127.0.0.1:${barePort}/`, seconds);
    const healthRun = await load(`http://127.0.0.1:${appPort}/api/health`, seconds);
    const notFoundRun = await load(`http://127.0.0.1:${appPort}/api/v1/nothing-here`, seconds);
    const row = (name: string, l: Load, base: Load): BenchResult => ({
      name,
      value: l.requestsPerSec,
      unit: 'req/s',
      p50Ms: l.p50,
      p99Ms: l.p99,
      baseline: base.requestsPerSec,
      ratio: Math.round((l.requestsPerSec / base.requestsPerSec) * 1000) / 1000,
      note: l.non2xx && !name.includes('404') ? `${l.non2xx} non-2xx` : undefined,
    });
    return [
      row('bare node:http (baseline)', bareRun, bareRun),
      row(`GET /api/health (db + queue check, ${database.kind})`, healthRun, bareRun),
      row('GET unknown /api route (404 JSON, no db)', notFoundRun, bareRun),
    ];
  } finally {
    await app.close();
    await runtime.close();
    await new Promise<void>((r) => bare.close(() => r()));
  }
}
