import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import * as service from './emails.service.js';

const TAG = ['Emails'];
const Result = z.object({
  id: z.uuid(),
  status: z.enum(['queued', 'suppressed']),
  to: z.string(),
  messageId: z.string(),
});

export async function emailRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/v1/emails',
    {
      schema: {
        tags: TAG,
        summary:
          'Send a transactional email to a contact or an address (a template, or inline subject/html/text, with merge data). Honours Idempotency-Key for 24 hours. Ignores marketing unsubscribes, never the suppression list.',
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
        body: z
          .object({
            to: z.email().max(320).optional(),
            contactId: z.uuid().optional(),
            templateId: z.uuid().optional(),
            subject: z.string().min(1).max(998).optional(),
            html: z.string().max(1_000_000).optional(),
            text: z.string().max(1_000_000).optional(),
            data: z.record(z.string(), z.unknown()).optional(),
            senderId: z.uuid().optional(),
          })
          .strict(),
        response: { 200: Result, 202: Result },
      },
      preHandler: opts.guards.requirePermission('campaigns:send'),
    },
    async (request, reply) => {
      const { status, body } = await service.sendEmail(
        request.ctx!,
        request.body,
        request.headers['idempotency-key'],
      );
      return reply.status(status as 200 | 202).send(body);
    },
  );
  r.get(
    '/api/v1/emails/:id',
    {
      schema: {
        tags: TAG,
        summary: 'A transactional email: its ledger state and delivery',
        params: z.object({ id: z.uuid() }),
        response: {
          200: z.object({
            id: z.uuid(),
            to: z.string(),
            state: z.string(),
            reason: z.string().nullable(),
            messageId: z.string(),
            attempts: z.number(),
            lastError: z.string().nullable(),
            queuedAt: z.string(),
            sentAt: z.string().nullable(),
            failedAt: z.string().nullable(),
            deliveredAt: z.string().nullable(),
            bouncedAt: z.string().nullable(),
            openedAt: z.string().nullable(),
            clickedAt: z.string().nullable(),
          }),
        },
      },
      preHandler: opts.guards.requirePermission('campaigns:read'),
    },
    async (request) => service.getEmail(request.ctx!, request.params.id),
  );
}
