import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import * as service from './senders.service.js';

export const EmailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email('must be a valid email address'));

const Sender = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  replyTo: z.string().nullable(),
  isDefault: z.boolean(),
  createdAt: z.string(),
});
const Name = z.string().trim().min(1, 'is required').max(100);
const Id = z.object({ id: z.uuid() });
const TAG = ['Sending'];

export async function senderRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Members pick a sender in the campaign wizard; only settings writers change them.
  const read = opts.guards.requirePermission('campaigns:read');
  const write = opts.guards.requirePermission('settings:write');
  r.get(
    '/api/v1/senders',
    {
      schema: {
        tags: TAG,
        summary: 'Sender identities (From addresses) of the organisation, the default first',
        response: { 200: z.object({ items: z.array(Sender) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.listSenders(request.ctx!) }),
  );
  r.post(
    '/api/v1/senders',
    {
      schema: {
        tags: TAG,
        summary: 'Add a sender identity (the first one becomes the default)',
        body: z
          .object({
            name: Name,
            email: EmailAddress,
            replyTo: EmailAddress.nullable().optional(),
            isDefault: z.boolean().optional(),
          })
          .strict(),
        response: { 201: Sender },
      },
      preHandler: write,
    },
    async (request, reply) => reply.status(201).send(await service.createSender(request.ctx!, request.body)),
  );
  r.get(
    '/api/v1/senders/:id',
    {
      schema: { tags: TAG, summary: 'Get a sender identity', params: Id, response: { 200: Sender } },
      preHandler: read,
    },
    async (request) => service.getSender(request.ctx!, request.params.id),
  );
  r.patch(
    '/api/v1/senders/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Change a sender identity, or make it the default',
        params: Id,
        body: z
          .object({
            name: Name.optional(),
            email: EmailAddress.optional(),
            replyTo: EmailAddress.nullable().optional(),
            isDefault: z.boolean().optional(),
          })
          .strict(),
        response: { 200: Sender },
      },
      preHandler: write,
    },
    async (request) => service.updateSender(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/senders/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Delete a sender identity (deleting the default makes the oldest remaining one the default)',
        params: Id,
      },
      preHandler: write,
    },
    async (request, reply) => {
      await service.deleteSender(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
}
