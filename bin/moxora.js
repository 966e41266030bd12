#!/usr/bin/env node
// `moxora <command>`: runs the compiled CLI (dist/server, built by scripts/build-server.mjs on
// first use and whenever the sources are newer than the build).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_OUT_DIR, ensureServerBuild } from '../scripts/build-server.mjs';

await ensureServerBuild();
const cli = path.join(DEFAULT_OUT_DIR, 'src/server/cli.js');
const args = process.argv.slice(2);

if (args[0] === 'import') {
  // Only `moxora import` may force a full GC between batches (src/server/lib/memory.ts); V8 flags
  // are fixed at start-up, so it runs in a child process started with --expose-gc.
  const child = spawn(process.execPath, ['--expose-gc', cli, ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    process.removeAllListeners(signal); // then die of the same signal, as the child did
    process.kill(process.pid, signal);
  });
} else {
  // Everything else runs in this process (signals reach the CLI directly; cli.js reads
  // process.argv.slice(2), which is the same here).
  await import(pathToFileURL(cli).href);
}
