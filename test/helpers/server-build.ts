import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The server compiled once per test run, for the tests that start it as a child process.
 *
 * `tsx` compiles nothing twice (it caches), but its loader hooks sit in front of every module a
 * process loads, node_modules included: measured here, a process that loads the app and stops at
 * configuration costs ~2.9 s of CPU through `node --import tsx` and ~1.0 s as plain JavaScript.
 * The build keeps the source tree's layout (one .js file per .ts file, imports untouched), so the
 * paths the server derives from `import.meta` (package.json, migrations, dist/web) still resolve:
 * they point at the repository through a copied package.json and symlinks.
 */
export const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCES = ['src/server', 'src/common', 'src/db/schema'];

export async function buildServer(outDir: string): Promise<void> {
  fs.rmSync(outDir, { recursive: true, force: true });
  const entryPoints: string[] = [];
  for (const dir of SOURCES) {
    for (const rel of fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]) {
      if (rel.endsWith('.ts') && !rel.endsWith('.test.ts') && !rel.endsWith('.d.ts'))
        entryPoints.push(path.join(ROOT, dir, rel));
    }
  }
  await build({
    entryPoints,
    outdir: path.join(outDir, 'src'),
    outbase: path.join(ROOT, 'src'),
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(outDir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'src/db/migrations'), path.join(outDir, 'src/db/migrations'));
  fs.symlinkSync(path.join(ROOT, 'dist'), path.join(outDir, 'dist'));
}
