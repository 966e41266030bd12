#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step for the server).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const args = process.argv.slice(2);
// Only `moxora import` may force a full GC between batches (src/server/lib/memory.ts).
const nodeFlags = args[0] === 'import' ? ['--expose-gc'] : [];
const result = spawnSync(tsx, [...nodeFlags, path.join(root, 'src/server/cli.ts'), ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
