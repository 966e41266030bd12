// Builds the web UI when dist/web is missing or older than its sources (used by `npm start`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const built = path.join(root, 'dist/web/index.html');
const sources = [
  path.join(root, 'src/web'),
  path.join(root, 'src/common'),
  path.join(root, 'vite.config.ts'),
];

function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
  return max;
}

const stale =
  !fs.existsSync(built) || sources.some((s) => fs.existsSync(s) && newest(s) > fs.statSync(built).mtimeMs);
if (stale) {
  process.stdout.write('Building the web UI…\n');
  const r = spawnSync(path.join(root, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
