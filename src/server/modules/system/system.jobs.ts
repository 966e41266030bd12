import { z } from 'zod';
import { defineJob } from '../../lib/jobs.js';

/** Periodic housekeeping: expired sessions, one-time tokens and rate-limit windows. Idempotent. */
export const cleanupJob = defineJob({
  name: 'system.cleanup',
  schema: z.object({}).passthrough(),
  cron: '*/15 * * * *',
  queue: { retryLimit: 1, retentionMinutes: 60 },
  async handler(_data, { database, config }) {
    await database.query(`delete from sessions where expires_at < now()`);
    await database.query(`delete from sessions where updated_at < now() - make_interval(secs => $1)`, [
      config.session.idleSeconds,
    ]);
    await database.query(`delete from verifications where expires_at < now()`);
    await database.query(`delete from rate_limits where window_start < now() - make_interval(secs => $1)`, [
      config.rateLimits.windowSeconds,
    ]);
    await database.query(
      `update invitations set status = 'canceled' where status = 'pending' and expires_at < now() - interval '30 days'`,
    );
  },
});

/** Every minute: bulk operations and exports whose job was lost are re-enqueued (see recovery.ts). */
export const recoverJob = defineJob({
  name: 'system.recover',
  schema: z.object({}).passthrough(),
  cron: '* * * * *',
  queue: { retryLimit: 0, retentionMinutes: 30 },
  async handler(_data, { database, jobs }) {
    if (!jobs) return;
    const [{ recoverStuckWork }, { bulkJob }, { runExportJob }] = await Promise.all([
      import('./recovery.js'),
      import('../contacts/contacts.jobs.js'),
      import('../exports/exports.jobs.js'),
    ]);
    await recoverStuckWork(database.db, jobs, [
      { table: 'bulk_operations', job: bulkJob as never, key: 'operationId' },
      { table: 'exports', job: runExportJob as never, key: 'exportId' },
    ]);
  },
});
