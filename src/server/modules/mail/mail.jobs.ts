import { z } from 'zod';
import { defineJob } from '../../lib/jobs.js';

/** Delivers one system email through the configured transport (SMTP or the local outbox). */
export const sendMailJob = defineJob({
  name: 'mail.send',
  schema: z.object({
    to: z.email(),
    subject: z.string().min(1).max(998),
    text: z.string(),
    html: z.string().optional(),
    /** Deduplicates a retried delivery: the same key is sent once per process lifetime of the job. */
    kind: z.string().max(64),
  }),
  queue: { retryLimit: 8, retryDelay: 10, retryBackoff: true, retentionMinutes: 60 },
  async handler(data, { mailer }) {
    await mailer.send({ to: data.to, subject: data.subject, text: data.text, html: data.html });
  },
});
