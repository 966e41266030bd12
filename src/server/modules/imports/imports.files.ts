import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../lib/context.js';
import { pgArray, rows } from '../../lib/sql.js';

/** Where uploaded import files live, and how long: only as long as their import needs them. */

export function importsDir(dataDir: string, orgId: string) {
  return path.join(dataDir, 'imports', orgId);
}
export function importFile(dataDir: string, orgId: string, id: string) {
  return path.join(importsDir(dataDir, orgId), `${id}.csv`);
}
/** Uploaded files live only as long as their import needs them (see `purgeAbandonedUploads`). */
export async function removeImportFile(dataDir: string, orgId: string, id: string) {
  await fs.promises.rm(importFile(dataDir, orgId, id), { force: true });
}

/** Uploads and dry runs nobody followed up are kept this long, then their files are deleted. */
export const ABANDONED_UPLOAD_HOURS = 24;

/**
 * Deletes the files of abandoned imports (uploaded or dry-run, untouched for 24 hours; an upload
 * is then marked cancelled) and any file left in the imports folder without a live import.
 */
export async function purgeAbandonedUploads(
  deps: Pick<Deps, 'config' | 'database'>,
  hours = ABANDONED_UPLOAD_HOURS,
) {
  const db = deps.database.db;
  const old = await rows<{ id: string; org_id: string }>(
    db,
    sql`update imports set status = case when status = 'uploaded' then 'cancelled' else status end,
        error = case when status = 'uploaded' then 'The upload expired after ${sql.raw(String(hours))} hours without an import' else error end,
        finished_at = coalesce(finished_at, now())
      where (status = 'uploaded' and created_at < now() - make_interval(hours => ${hours}))
        or (dry_run and status in ('done','failed') and finished_at < now() - make_interval(hours => ${hours}))
      returning id, org_id`,
  );
  for (const r of old) await removeImportFile(deps.config.dataDir, r.org_id, r.id);
  // Files without an import that still needs them (e.g. left by a crash between upload and insert).
  const root = path.join(deps.config.dataDir, 'imports');
  const orgs = await fs.promises.readdir(root).catch(() => [] as string[]);
  let removed = old.length;
  for (const org of orgs) {
    const dir = path.join(root, org);
    const files = await fs.promises.readdir(dir).catch(() => [] as string[]);
    const ids = files.map((f) => f.replace(/\.csv$/, '')).filter((f) => /^[0-9a-f-]{36}$/.test(f));
    const live = new Set(
      ids.length
        ? (
            await rows<{ id: string }>(
              db,
              sql`select id::text from imports where id = any(${pgArray(ids)}::uuid[])
                and (status in ('uploaded','queued','running') or (dry_run and status in ('done','failed')))`,
            )
          ).map((r) => r.id)
        : [],
    );
    for (const f of files) {
      const full = path.join(dir, f);
      const stat = await fs.promises.stat(full).catch(() => null);
      if (!stat || live.has(f.replace(/\.csv$/, ''))) continue;
      if (Date.now() - stat.mtimeMs > hours * 3600_000 || ids.includes(f.replace(/\.csv$/, ''))) {
        await fs.promises.rm(full, { force: true });
        removed++;
      }
    }
  }
  return removed;
}
