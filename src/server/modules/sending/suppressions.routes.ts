import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUPPRESSION_REASONS } from '../../../common/email.js';
import type { Guards } from '../../plugins/session.js';
import { EmailAddress } from './senders.routes.js';
import * as service from './suppressions.service.js';

const Person = z.object({ id: z.uuid(), name: z.string() }).nullable();
const Suppression = z.object({
  id: z.uuid(),
  email: z.string(),
  reason: z.enum(SUPPRESSION_REASONS),
  note: z.string(),
  createdAt: z.string(),
  createdBy: Person,
  removedAt: z.string().nullable(),
  removedBy: Person,
  removedReason: z.string().nullable(),
});
const Id = z.object({ id: z.uuid() });
const TAG = ['Sending'];

export async function suppressionRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('contacts:read');
  const write = opts.guards.requirePermission('settings:write');
  r.get(
    '/api/v1/suppressions',
    {
      schema: {
        tags: TAG,
        summary:
          'Suppressed addresses (never mailed, transactional included), newest first; includeRemoved=true adds removed ones as history',
        querystring: z.object({
          q: z.string().max(254).optional(),
          limit: z.coerce.number().int().min(1).max(200).optional(),
          cursor: z.string().max(500).optional(),
          includeRemoved: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true'),
        }),
        response: { 200: z.object({ items: z.array(Suppression), nextCursor: z.string().nullable() }) },
      },
      preHandler: read,
    },
    async (request) => service.listSuppressions(request.ctx!, request.query),
  );
  r.post(
    '/api/v1/suppressions',
    {
      schema: {
        tags: TAG,
        summary:
          'Suppress an address by hand (201); an address already suppressed answers 200 with its existing entry',
        body: z.object({ email: EmailAddress, note: z.string().trim().max(500).optional() }).strict(),
        response: { 200: Suppression, 201: Suppression },
      },
      preHandler: write,
    },
    async (request, reply) => {
      const { created, suppression } = await service.addSuppression(request.ctx!, request.body);
      return reply.status(created ? 201 : 200).send(suppression);
    },
  );
  r.delete(
    '/api/v1/suppressions/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Take an address off the suppression list, saying why (the entry stays as history)',
        params: Id,
        body: z.object({ reason: z.string().trim().min(1, 'is required').max(500) }).strict(),
      },
      preHandler: write,
    },
    async (request, reply) => {
      await service.removeSuppression(request.ctx!, request.params.id, request.body.reason);
      return reply.status(204).send();
    },
  );
}
