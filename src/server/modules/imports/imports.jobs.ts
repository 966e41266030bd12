import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineJob } from '../../lib/jobs.js';
import { rows } from '../../lib/sql.js';

/** Runs or resumes one import (idempotent: committed batches are never applied again). */
export const runImportJob = defineJob({
  name: 'imports.run',
  schema: z.object({ importId: z.uuid() }),
  queue: { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 4 * 3600 },
  async handler(data, deps) {
    const { executeImport } = await import('./imports.service.js');
    await executeImport(
      {
        config: deps.config,
        database: deps.database,
        jobs: deps.jobs as NonNullable<typeof deps.jobs>,
        keys: deps.keys,
      },
      data.importId,
    );
  },
});

/** Hourly: files of abandoned uploads and dry runs (24 hours) and orphaned files are deleted. */
export const purgeUploadsJob = defineJob({
  name: 'imports.purgeUploads',
  schema: z.object({}).passthrough(),
  cron: '41 * * * *',
  queue: { retryLimit: 1, retentionMinutes: 60 },
  async handler(_data, deps) {
    const { purgeAbandonedUploads } = await import('./imports.service.js');
    await purgeAbandonedUploads(deps);
  },
});

/** Imports whose runner died (no heartbeat for 2 minutes) are handed to a live worker. */
export const STALE_SECONDS = 120;

export const recoverImportsJob = defineJob({
  name: 'imports.recover',
  schema: z.object({}).passthrough(),
  cron: '* * * * *',
  queue: { retryLimit: 0, retentionMinutes: 30 },
  async handler(_data, deps) {
    await recoverStaleImports(deps as Parameters<typeof recoverStaleImports>[0]);
  },
});

export async function recoverStaleImports(
  deps: {
    database: { db: Parameters<typeof rows>[0] };
    jobs?: { send: (job: typeof runImportJob, data: { importId: string }, o?: object) => Promise<unknown> };
  },
  staleSeconds = STALE_SECONDS,
) {
  const stale = await rows<{ id: string }>(
    deps.database.db,
    sql`update imports set heartbeat_at = now() where status in ('queued','running')
      and heartbeat_at < now() - make_interval(secs => ${staleSeconds}) returning id`,
  );
  for (const s of stale) await deps.jobs?.send(runImportJob, { importId: s.id });
  return stale.length;
}
