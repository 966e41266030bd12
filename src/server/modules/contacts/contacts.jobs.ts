import { z } from 'zod';
import { defineJob } from '../../lib/jobs.js';

/** A large bulk action on contacts. Idempotent: each batch skips rows already changed. */
export const bulkJob = defineJob({
  name: 'contacts.bulk',
  schema: z.object({ operationId: z.uuid() }),
  queue: { retryLimit: 3, retryDelay: 5, expireInSeconds: 3600 },
  async handler(data, deps) {
    const { executeBulkOperation } = await import('./contacts.bulk.js');
    await executeBulkOperation(
      {
        config: deps.config,
        database: deps.database,
        jobs: deps.jobs as NonNullable<typeof deps.jobs>,
        keys: deps.keys,
      },
      data.operationId,
    );
  },
});
