import { z } from 'zod';
import { defineJob } from '../../lib/jobs.js';
import { purgeReceipts } from './webhooks.service.js';

/** Daily: provider event receipts older than 30 days go (signed timestamps older than 7 days are refused anyway). */
export const purgeReceiptsJob = defineJob({
  name: 'webhooks.purgeReceipts',
  schema: z.object({}).passthrough(),
  cron: '17 3 * * *',
  queue: { retryLimit: 2, retentionMinutes: 24 * 60 },
  async handler(_data, { database, log }) {
    const n = await purgeReceipts(database, 30);
    if (n > 0) log.info({ deleted: n }, 'webhook receipts purged');
  },
});
