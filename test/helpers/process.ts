import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { ROOT } from './server-build.js';
import { waitFor } from './wait.js';

/**
 * Moxora as a child process (`npm start`, `moxora worker`, `moxora import` …), for the tests of
 * what only a real process shows: start-up checks, signals, locks, crashes.
 *
 * - Runs the server compiled once per test run (see server-build.ts), or through `tsx` like
 *   `npm run dev` does (`via: 'tsx'`, slower: keep it to a test or two).
 * - Every child leads its own process group, and `stopAllProcesses()` (call it in `afterEach`)
 *   SIGKILLs the whole group of anything still running, so a failed or timed-out test never
 *   leaves a server behind (nor a grandchild: `tsx` forks the real node process). The same
 *   happens when the test worker exits.
 * - A child without DATABASE_URL runs the embedded PostgreSQL of its MOXORA_DATA_DIR, in a process
 *   group of its own (so that a Ctrl-C reaches Moxora first): `stopAllProcesses()` also kills the
 *   server left running on any data folder a child of the test used.
 * - Waits are for conditions (an exit, a health answer, a line of output), bounded by a
 *   generous deadline rather than by how fast this machine happens to be today.
 */
export const PROCESS_DEADLINE_MS = Number(process.env.TEST_PROCESS_DEADLINE_MS ?? 120_000);
/** Timeout for a test that starts processes: a few start-ups, each within the deadline. */
export const PROCESS_TEST_TIMEOUT_MS = PROCESS_DEADLINE_MS * 3;

const ENTRIES = { main: 'src/server/main', cli: 'src/server/cli' } as const;
const live = new Set<ChildProcess>();
/** Data folders of the children started since the last stopAllProcesses() (embedded PostgreSQL). */
const embeddedDirs = new Set<string>();

/** The pid of the PostgreSQL server running on `dataDir` (lib/embedded-postgres.ts), if any. */
export function embeddedPostgresPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8'), 10);
    if (!(pid > 0)) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/**
 * SIGKILLs the embedded PostgreSQL of `dataDir` with all its backends (its own process group), as a
 * power cut would, and waits until it is gone.
 */
export async function killEmbeddedPostgres(dataDir: string): Promise<boolean> {
  const pid = embeddedPostgresPid(dataDir);
  if (pid === null) return false;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await waitFor(
    () => {
      try {
        process.kill(-pid, 0);
        return undefined;
      } catch {
        return true;
      }
    },
    { what: `PostgreSQL (pid ${pid}) to die`, timeoutMs: PROCESS_DEADLINE_MS, intervalMs: 20 },
  );
  return true;
}

function killEmbeddedNow() {
  for (const dir of embeddedDirs) {
    const pid = embeddedPostgresPid(dir);
    if (pid === null) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function killGroup(child: ChildProcess) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

process.on('exit', () => {
  for (const child of live) killGroup(child);
  killEmbeddedNow();
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const child of live) killGroup(child);
    killEmbeddedNow();
    process.kill(process.pid, signal); // then die of it as if we had not been listening
  });
}

/**
 * SIGKILLs every child process (and its group) that is still running, and the embedded PostgreSQL
 * servers they left on their data folders. For `afterEach`.
 */
export async function stopAllProcesses(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of live) {
    waits.push(new Promise((resolve) => child.once('exit', resolve)));
    killGroup(child);
  }
  await Promise.all(waits);
  for (const dir of [...embeddedDirs]) await killEmbeddedPostgres(dir);
  embeddedDirs.clear();
}

export interface MoxoraProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** The exit code, once the process has exited (fails after the deadline, showing stderr). */
  waitForExit(): Promise<number | null>;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves once `/api/health` answers 200 on `port`, with its body; fails early if the process exits. */
  waitHealthy(port: number): Promise<{ database: { kind: string } }>;
}

export function startMoxora(
  entry: keyof typeof ENTRIES,
  args: string[],
  env: Record<string, string>,
  opts: { via?: 'build' | 'tsx' } = {},
): MoxoraProcess {
  const via = opts.via ?? 'build';
  let command: string;
  let argv: string[];
  if (via === 'tsx') {
    command = path.join(ROOT, 'node_modules/.bin/tsx');
    argv = [path.join(ROOT, `${ENTRIES[entry]}.ts`), ...args];
  } else {
    const build = inject('serverBuild');
    if (build.error) throw new Error(`The server did not compile for this test run: ${build.error}`);
    command = process.execPath;
    // As bin/moxora.js starts them: only `moxora import` gets --expose-gc (lib/memory.ts).
    const nodeFlags = entry === 'cli' && args[0] === 'import' ? ['--expose-gc'] : [];
    argv = [...nodeFlags, path.join(build.dir, `${ENTRIES[entry]}.js`), ...args];
  }
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a kill reaches its children too
  });
  live.add(child);
  // Only folders a test chose: never the repository's own ./data (a developer's server may use it).
  if (!env.DATABASE_URL && env.MOXORA_DATA_DIR) embeddedDirs.add(path.resolve(ROOT, env.MOXORA_DATA_DIR));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout = (stdout + String(d)).slice(-100_000);
  });
  child.stderr!.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-100_000);
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exitCode = code;
      killGroup(child); // anything it left behind in its group
      live.delete(child);
      resolve(code);
    });
  });
  const describe = `${entry} ${args.join(' ')}`.trim();
  const waitForExit = () =>
    waitFor(async () => (exitCode === undefined ? undefined : { code: exitCode }), {
      what: `${describe} to exit (stderr: ${stderr.slice(-2000)})`,
      timeoutMs: PROCESS_DEADLINE_MS,
    }).then((r) => r.code);
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForExit,
    async stop(signal = 'SIGTERM') {
      if (exitCode === undefined) child.kill(signal);
      return waitForExit();
    },
    waitHealthy: (port) =>
      waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/api/health`);
          return res.ok ? ((await res.json()) as { database: { kind: string } }) : undefined;
        },
        {
          what: `${describe} to answer /api/health on port ${port}`,
          timeoutMs: PROCESS_DEADLINE_MS,
          intervalMs: 100,
          abortIf: () =>
            exitCode === undefined ? undefined : `it exited with ${exitCode}: ${stderr.slice(-2000)}`,
        },
      ),
  };
}

/** A TCP port nobody listens on right now (the embedded server's own way of finding one). */
export { freePort } from '../../src/server/lib/embedded-postgres.js';
