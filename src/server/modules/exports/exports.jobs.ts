import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineJob } from '../../lib/jobs.js';
import { rows } from '../../lib/sql.js';

/** Builds one export file. Idempotent: a rerun rewrites the file from scratch. */
export const runExportJob = defineJob({
  name: 'exports.run',
  schema: z.object({ exportId: z.uuid() }),
  queue: { retryLimit: 3, retryDelay: 5, expireInSeconds: 3600 },
  async handler(data, deps) {
    const { executeExport } = await import('./exports.service.js');
    await executeExport(
      {
        config: deps.config,
        database: deps.database,
        jobs: deps.jobs as NonNullable<typeof deps.jobs>,
        keys: deps.keys,
      },
      data.exportId,
    );
  },
});

/** Deletes expired export files (links stop working at expiry; the files go soon after). */
export const purgeExportsJob = defineJob({
  name: 'exports.purge',
  schema: z.object({}).passthrough(),
  cron: '17 * * * *',
  queue: { retryLimit: 1, retentionMinutes: 60 },
  async handler(_data, { database, config }) {
    const expired = await rows<{ id: string; org_id: string; kind: string }>(
      database.db,
      sql`update exports set status = 'expired' where status = 'done' and expires_at < now() returning id, org_id, kind`,
    );
    for (const e of expired) {
      const ext = e.kind === 'organization_zip' ? 'zip' : 'csv';
      await fs.promises.rm(path.join(config.dataDir, 'exports', e.org_id, `${e.id}.${ext}`), { force: true });
    }
  },
});
