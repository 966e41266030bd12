import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineJob } from '../../lib/jobs.js';
import { rows } from '../../lib/sql.js';

/**
 * Daily upkeep of the email store: monthly partitions of email_events created two months ahead
 * (rows never land in the default partition), partitions past the retention period dropped whole
 * (reports read the aggregates, kept for ever), and idempotency keys older than 24 hours removed.
 */
export const emailMaintenanceJob = defineJob({
  name: 'email.maintain',
  schema: z.object({}).passthrough(),
  cron: '17 3 * * *',
  queue: { retryLimit: 3, retryDelay: 60 },
  async handler(_data, deps) {
    const db = deps.database.db;
    await db.execute(sql`select email_events_ensure_partitions(2)`);
    const months = deps.config.emailEventsRetentionMonths;
    // Dropped by the table's owner (SECURITY DEFINER function, migration 0017): this role does not own it.
    const old = await rows<{ name: string }>(
      db,
      sql`select email_events_drop_partitions_before(${months}::int) as name`,
    );
    for (const o of old) deps.log.info({ partition: o.name }, 'email events partition dropped (retention)');
    await db.execute(sql`delete from idempotency_keys where created_at < now() - interval '24 hours'`);
  },
});
