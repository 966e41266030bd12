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
    const old = await rows<{ name: string }>(
      db,
      sql`select c.relname as name from pg_inherits i
        join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
        where p.relname = 'email_events' and c.relname ~ '^email_events_[0-9]{4}_[0-9]{2}$'
          and to_date(substr(c.relname, 14), 'YYYY_MM') < date_trunc('month', now()) - make_interval(months => ${months})`,
    );
    for (const o of old) {
      await db.execute(sql.raw(`drop table if exists "${o.name.replace(/"/g, '')}"`));
      deps.log.info({ partition: o.name }, 'email events partition dropped (retention)');
    }
    await db.execute(sql`delete from idempotency_keys where created_at < now() - interval '24 hours'`);
  },
});
