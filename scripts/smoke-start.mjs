// Starts the compiled app as `npm start` does (dist/server, built when stale) with the Node that
// runs this script, and checks it end to end: /api/health, a sign-up, the verification link from
// the local outbox, a sign-in and a contact created. Then stops it with SIGTERM (expects exit 0)
// and removes what it made. Used by .ci/run for each supported Node line:
//   PATH=<node 24>/bin:$PATH node scripts/smoke-start.mjs
//
// TEST_DATABASE_URL set (an admin connection): the app runs on a fresh database created there.
// Unset: the app runs on its embedded database, in a temporary data folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { DEFAULT_OUT_DIR, ensureServerBuild, ROOT } from './build-server.mjs';

const ADMIN_URL = process.env.TEST_DATABASE_URL;
const DEADLINE_MS = 120_000;

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The first link matching `pattern` in a mail to `to` in the outbox, waiting for it. */
async function linkFromOutbox(outbox, to, pattern) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const names = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((n) => n.endsWith('.eml')) : [];
    for (const name of names) {
      const mail = await simpleParser(fs.readFileSync(path.join(outbox, name)));
      const recipients = [mail.to ?? []].flat().map((a) => a.text);
      if (!recipients.some((r) => r.includes(to))) continue;
      const link = (mail.text ?? '').match(/https?:\/\/\S+/g)?.find((l) => pattern.test(l));
      if (link) return link;
    }
    if (Date.now() > deadline)
      throw new Error(`no mail to ${to} with a link matching ${pattern} in ${outbox}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-smoke-'));
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? os.tmpdir(),
  MOXORA_DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
};
let admin;
let dbName;
if (ADMIN_URL) {
  admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  dbName = `moxora_smoke_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  env.DATABASE_URL = dbUrl.toString();
}

let child;
try {
  await ensureServerBuild();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  child = spawn(process.execPath, [path.join(DEFAULT_OUT_DIR, 'src/server/main.js')], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', BASE_URL: base },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  let exitCode;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve(exitCode);
    });
  });

  // 1. Health
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the app exited with ${exitCode}: ${stderr.slice(-2000)}`);
    if (performance.now() - started > DEADLINE_MS) throw new Error('no /api/health 200 within the deadline');
    const res = await fetch(`${base}/api/health`).catch(() => null);
    if (res?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const healthMs = Math.round(performance.now() - started);

  // 2. Sign-up, the verification link from the outbox, sign-in, a contact.
  const email = `smoke-${Date.now()}@example.com`;
  const password = 'smoke-test-password-1';
  const post = (url, body, cookie) =>
    fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  let res = await post('/api/auth/sign-up/email', {
    name: 'Smoke Test',
    email,
    password,
    ageConfirmed: true,
  });
  if (res.status !== 200) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  const verifyLink = await linkFromOutbox(path.join(dataDir, 'outbox'), email, /verify-email/);
  res = await fetch(verifyLink, { redirect: 'manual' });
  if (res.status >= 400) throw new Error(`the verification link answered ${res.status}`);
  res = await post('/api/auth/sign-in/email', { email, password });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.includes('session_token='))
    ?.split(';')[0];
  if (!cookie) throw new Error('sign-in set no session cookie');
  res = await post('/api/v1/contacts', { email: 'ada@example.com', firstName: 'Ada' }, cookie);
  if (res.status !== 201) throw new Error(`contact create answered ${res.status}: ${await res.text()}`);

  // 3. A clean stop.
  child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
  if (code !== 0) throw new Error(`SIGTERM: the app exited with ${code}, expected 0`);
  process.stdout.write(
    `smoke-start (Node ${process.version}): ok — /api/health in ${healthMs} ms, sign-up, sign-in, contact created, clean stop\n`,
  );
} catch (err) {
  process.stderr.write(`smoke-start (Node ${process.version}): FAILED: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (admin) {
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
