import { randomUUID } from 'node:crypto';
import { buildApp, createRuntime } from '../src/server/app.js';
import { loadConfig } from '../src/server/lib/config.js';
import { openEmbedded, openPostgres } from '../src/server/lib/db.js';
import type { BenchResult } from './run.js';

/**
 * Sign-up with a new address vs an address that already has an account (issue 11): both answers
 * must take about the same time, so that timing does not tell which addresses are registered.
 * Interleaved (new, existing, new, …) so that a slow spell of the machine hits both alike; the
 * ratio is existing / new on the medians. The suite checks the cause structurally (one argon2
 * hash on both paths, test/signup-existing.test.ts); this reports the times themselves.
 */
export async function signupBench(): Promise<BenchResult[]> {
  const samples = Number(process.env.BENCH_SAMPLES ?? 30);
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    MOXORA_DATA_DIR: '.tmp/bench-signup',
    RATE_LIMIT_SIGN_UP_PER_IP: '100000',
    RATE_LIMIT_VERIFY_MAIL_PER_IP: '100000',
  });
  const dbUrl = process.env.DATABASE_URL;
  const database = dbUrl ? await openPostgres(dbUrl, 10) : await openEmbedded('.tmp/bench-signup');
  const runtime = await createRuntime(config, { database });
  const { app } = await buildApp(runtime);
  const signUp = async (email: string): Promise<number> => {
    const started = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      remoteAddress: '127.0.0.1',
      headers: { origin: config.baseUrl, 'content-type': 'application/json' },
      payload: JSON.stringify({
        name: 'Bench',
        email,
        password: 'a-long-enough-password',
        ageConfirmed: true,
      }),
    });
    const ms = performance.now() - started;
    if (res.statusCode !== 200) throw new Error(`sign-up answered ${res.statusCode}: ${res.body}`);
    return ms;
  };
  const address = () => `bench-${randomUUID()}@example.com`;
  try {
    const existing: string[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const email = address();
      await signUp(email);
      existing.push(email);
    }
    const fresh: number[] = [];
    const taken: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const a = await signUp(address());
      const b = await signUp(existing[i]!);
      if (i < 3) continue; // warm-up
      fresh.push(a);
      taken.push(b);
    }
    const pct = (v: number[], p: number) => {
      const s = [...v].sort((x, y) => x - y);
      return Math.round(s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]! * 10) / 10;
    };
    const row = (name: string, v: number[]): BenchResult => ({
      name,
      value: pct(v, 50),
      unit: 'ms (p50)',
      p50Ms: pct(v, 50),
      p95Ms: pct(v, 95),
      samples: v.length,
      baseline: pct(fresh, 50),
      ratio: Math.round((pct(v, 50) / pct(fresh, 50)) * 1000) / 1000,
    });
    return [row('sign-up, new address (baseline)', fresh), row('sign-up, address with an account', taken)];
  } finally {
    await app.close();
    await runtime.close();
  }
}
