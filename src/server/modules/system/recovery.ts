import { sql } from 'drizzle-orm';
import type { Db } from '../../lib/db.js';
import type { JobDefinition, JobQueue } from '../../lib/jobs.js';
import { rows } from '../../lib/sql.js';

/**
 * Stuck work: a row that says "queued" or "running" while no job will ever run it (its job was
 * lost, or failed for good). Jobs are enqueued in the same transaction as their row, so this is
 * rare (a purged queue, a restore); recovery re-enqueues the job, or marks the row failed when
 * its job has failed for good. Imports have their own heartbeat-based recovery (imports.jobs.ts).
 */
export interface Recoverable {
  table: 'bulk_operations' | 'exports';
  job: JobDefinition;
  /** The payload key holding the row id. */
  key: string;
}

export async function recoverStuckWork(
  db: Db,
  jobs: Pick<JobQueue, 'send'>,
  targets: Recoverable[],
  graceSeconds = 60,
): Promise<{ requeued: number; failed: number }> {
  let requeued = 0;
  let failed = 0;
  for (const t of targets) {
    const table = sql.raw(t.table);
    const stuck = await rows<{ id: string; last_state: string | null }>(
      db,
      sql`select r.id, (select j.state from pgboss.job j where j.name = ${t.job.name} and j.data ->> ${t.key} = r.id::text
            order by j.created_on desc limit 1) as last_state
        from ${table} r
        where r.status in ('queued','running') and r.created_at < now() - make_interval(secs => ${graceSeconds})
          and not exists (select 1 from pgboss.job j where j.name = ${t.job.name} and j.data ->> ${t.key} = r.id::text
            and j.state in ('created','retry','active'))`,
    );
    for (const s of stuck) {
      if (s.last_state === 'failed') {
        await db.execute(
          sql`update ${table} set status = 'failed', error = 'The job failed repeatedly; start it again', finished_at = now()
            where id = ${s.id} and status in ('queued','running')`,
        );
        failed++;
      } else {
        await jobs.send(t.job, { [t.key]: s.id });
        requeued++;
      }
    }
  }
  return { requeued, failed };
}
