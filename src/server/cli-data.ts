import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Role } from '../common/permissions.js';
import type { Runtime } from './app.js';
import { type Ctx, orgDeps } from './lib/context.js';
import { rows } from './lib/sql.js';
import { DEFAULT_COLUMNS, writeContactsCsv } from './modules/exports/exports.service.js';
import {
  createImport,
  type DuplicatePolicy,
  executeImport,
  getImport,
  startImport,
} from './modules/imports/imports.service.js';

/** `moxora import` and `moxora export`: the same services as the API, with a progress bar. */
async function ownerCtx(runtime: Runtime, org: string): Promise<Ctx> {
  const isId = /^[0-9a-f-]{36}$/i.test(org);
  const found = await rows<{ org_id: string; user_id: string; role: Role; name: string; email: string }>(
    runtime.database.db,
    sql`select m.org_id, m.user_id, m.role, u.name, u.email from members m join users u on u.id = m.user_id
      join organizations o on o.id = m.org_id
      where ${isId ? sql`o.id = ${org}` : sql`lower(o.name) = lower(${org})`} and m.role = 'owner' order by m.created_at limit 2`,
  );
  if (found.length === 0) throw new Error(`No organisation ${org} (give its id or exact name)`);
  const m = found[0]!;
  return {
    orgId: m.org_id,
    userId: m.user_id,
    role: m.role,
    name: m.name,
    email: m.email,
    deps: orgDeps(runtime.deps, m.org_id),
    actor: { type: 'user', id: m.user_id },
  };
}

function bar(done: number, total: number, started: number) {
  const pct = total ? done / total : 0;
  const width = 30;
  const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
  const left = rate > 0 ? Math.round((total - done) / rate) : 0;
  return `[${'#'.repeat(Math.round(pct * width)).padEnd(width, ' ')}] ${(pct * 100).toFixed(1)}% ${done}/${total} rows, ${Math.round(rate)} rows/s, ${left}s left`;
}

function progress(line: string) {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
  else process.stderr.write(`${line}\n`);
}

export async function cliImport(
  runtime: Runtime,
  args: { file: string; org: string; policy: DuplicatePolicy; dryRun: boolean; tags: string[] },
) {
  const ctx = await ownerCtx(runtime, args.org);
  const tmp = path.join(runtime.config.dataDir, 'imports', 'tmp', `cli-${process.pid}-${Date.now()}`);
  await fs.promises.mkdir(path.dirname(tmp), { recursive: true });
  await fs.promises.copyFile(args.file, tmp);
  const size = (await fs.promises.stat(tmp)).size;
  const created = await createImport(ctx, { fileName: path.basename(args.file), tmpFile: tmp, size });
  process.stderr.write(
    `${created.totalRows} rows, ${created.format.encoding}, delimiter ${JSON.stringify(created.format.delimiter)}; mapping: ${created.headers
      .map((h, i) => `${h} → ${JSON.stringify(created.suggestedMapping?.[i])}`)
      .join(', ')}\n`,
  );
  await startImport(
    ctx,
    created.id,
    {
      mapping: created.suggestedMapping ?? [],
      duplicatePolicy: args.policy,
      dryRun: args.dryRun,
      extraTags: args.tags,
    },
    'here',
  );
  const started = Date.now();
  const timer = setInterval(async () => {
    const s = await getImport(ctx, created.id).catch(() => null);
    if (s) progress(bar(s.progress.rowsDone, s.totalRows, started));
  }, 250);
  let fin: Awaited<ReturnType<typeof getImport>>;
  try {
    await executeImport(runtime.deps, created.id);
    // No job was enqueued for it, but the stale-import recovery may have handed it to a worker if
    // this process stalled; executors share the work, so wait until the import has ended.
    for (;;) {
      fin = await getImport(ctx, created.id);
      if (fin.status !== 'queued' && fin.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    clearInterval(timer);
  }
  progress(bar(fin.progress.rowsDone, fin.totalRows, started));
  process.stderr.write('\n');
  process.stdout.write(
    `${JSON.stringify({ id: fin.id, status: fin.status, counts: fin.counts, seconds: (Date.now() - started) / 1000 })}\n`,
  );
  if (fin.counts.failed > 0) process.stderr.write(`Error report: GET /api/v1/imports/${fin.id}/errors.csv\n`);
  return fin.status === 'done' ? 0 : 1;
}

export async function cliExport(
  runtime: Runtime,
  args: { org: string; out: string; search?: string; segmentId?: string; columns?: string[]; bom: boolean },
) {
  const ctx = await ownerCtx(runtime, args.org);
  const [{ n }] = (await rows<{ n: number }>(
    runtime.database.db,
    sql`select count(*)::int as n from contacts where org_id = ${ctx.orgId}`,
  )) as [{ n: number }];
  const started = Date.now();
  progress(`exporting up to ${n} contacts…`);
  const count = await writeContactsCsv(
    ctx,
    {
      search: args.search,
      segmentId: args.segmentId,
      columns: args.columns ?? DEFAULT_COLUMNS,
      bom: args.bom,
    },
    path.resolve(args.out),
  );
  progress(bar(count, count, started));
  process.stderr.write('\n');
  process.stdout.write(
    `${JSON.stringify({ file: path.resolve(args.out), rows: count, seconds: (Date.now() - started) / 1000 })}\n`,
  );
  return 0;
}
