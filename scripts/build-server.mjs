// Compiles the server (TypeScript → JavaScript) with esbuild, for `npm start`, `moxora …` and the
// tests that start the server as a child process.
//
//   node scripts/build-server.mjs              build dist/server now
//   node scripts/build-server.mjs --if-stale   build only when dist/server is missing or older than
//                                              its sources (what `npm start` and bin/moxora.js do)
//   node scripts/build-server.mjs --out DIR    build into DIR instead
//
// One .js file per .ts file, the source tree's layout kept and imports untouched (no bundling), so
// the paths the server derives from `import.meta` still resolve: `src/server/app.js` finds
// `package.json` two levels up (a copy), `src/server/lib/db.js` finds `src/db/migrations` (a
// symlink to the repository's), and `dist/web` is a symlink to the repository's web build.
// Packages resolve from the repository's node_modules (the build sits inside the repository).
// The output is plain ES2023 JavaScript: the same build runs on Node 20, 22 and 24.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT_DIR = path.join(ROOT, 'dist', 'server');
/** Compiled: every .ts file under these folders except tests. */
const SOURCE_DIRS = ['src/server', 'src/common', 'src/db/schema'];
/** A change to any of these (or to the folders above) makes the build stale. */
const STALENESS_INPUTS = [...SOURCE_DIRS, 'package.json', 'scripts/build-server.mjs'];
const STAMP = '.build.json';

function compiledSources() {
  const files = [];
  for (const dir of SOURCE_DIRS) {
    for (const rel of fs.readdirSync(path.join(ROOT, dir), { recursive: true })) {
      if (rel.endsWith('.ts') && !rel.endsWith('.test.ts') && !rel.endsWith('.d.ts'))
        files.push(path.join(ROOT, dir, rel));
    }
  }
  return files;
}

/** Newest modification time under `p` (folders count too: adding or deleting a file changes them). */
function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return p.endsWith('.test.ts') ? 0 : st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
  return max;
}

/**
 * Compiles the server into `outDir` (emptied first). Takes ~1 s; the result is complete or
 * absent: it is written next to `outDir` and moved into place at the end, so a process starting
 * meanwhile never sees half a build.
 */
export async function buildServer(outDir = DEFAULT_OUT_DIR) {
  const startedAt = Date.now();
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    await build({
      entryPoints: compiledSources(),
      outdir: path.join(tmp, 'src'),
      outbase: path.join(ROOT, 'src'),
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(tmp, 'package.json'));
    // Relative links: the repository can be moved or mounted elsewhere with its build.
    const link = (target, at) => {
      fs.mkdirSync(path.dirname(at), { recursive: true });
      fs.symlinkSync(path.relative(path.dirname(at), target), at);
    };
    link(path.join(ROOT, 'src/db/migrations'), path.join(tmp, 'src/db/migrations'));
    link(path.join(ROOT, 'dist/web'), path.join(tmp, 'dist/web'));
    fs.writeFileSync(path.join(tmp, STAMP), `${JSON.stringify({ startedAt, node: process.version })}\n`);
    // Swap: the old build (if any) moves aside and is removed after the new one is in place.
    const old = `${outDir}.old-${process.pid}`;
    fs.rmSync(old, { recursive: true, force: true });
    try {
      fs.renameSync(outDir, old);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    fs.renameSync(tmp, outDir);
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Why `outDir` needs a (re)build, or null when it is up to date with its sources. */
export function staleReason(outDir = DEFAULT_OUT_DIR) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(outDir, STAMP), 'utf8'));
  } catch {
    return 'no build yet';
  }
  for (const input of STALENESS_INPUTS) {
    const p = path.join(ROOT, input);
    if (fs.existsSync(p) && newest(p) >= stamp.startedAt) return `${input} changed`;
  }
  return null;
}

/** Builds `outDir` when it is missing or older than its sources (a scan of mtimes, ~10 ms). */
export async function ensureServerBuild(
  outDir = DEFAULT_OUT_DIR,
  log = (line) => process.stderr.write(line),
) {
  const reason = staleReason(outDir);
  if (!reason) return false;
  log(`Compiling the server (${reason})…\n`);
  await buildServer(outDir);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const outDir = outIdx >= 0 ? path.resolve(args[outIdx + 1] ?? '') : DEFAULT_OUT_DIR;
  try {
    if (args.includes('--if-stale')) await ensureServerBuild(outDir);
    else await buildServer(outDir);
  } catch (err) {
    process.stderr.write(`moxora: the server did not compile: ${err.message}\n`);
    process.exit(1);
  }
}
