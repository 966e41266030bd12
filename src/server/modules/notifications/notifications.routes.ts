import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import * as service from './notifications.service.js';

const TAG = ['Notifications'];
const Id = z.object({ id: z.uuid() });

export async function notificationRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Every member has an inbox; API keys have none (403: they are not a user).
  const signedIn = opts.guards.requirePermission('org:read', { allowApiKey: false });

  r.get(
    '/api/v1/notifications',
    {
      schema: {
        tags: TAG,
        summary:
          "The signed-in user's notifications in the active organisation, newest first, and how many are unread (API keys: 403, they have no inbox)",
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(30),
          unread: z.enum(['true', 'false']).optional().describe('true: unread ones only'),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                title: z.string(),
                body: z.string(),
                link: z.string().nullable(),
                createdAt: z.string(),
                readAt: z.string().nullable(),
              }),
            ),
            unread: z.number(),
          }),
        },
      },
      preHandler: signedIn,
    },
    async (request) =>
      service.listNotifications(request.ctx!, {
        limit: request.query.limit,
        unreadOnly: request.query.unread === 'true',
      }),
  );
  r.post(
    '/api/v1/notifications/:id/read',
    {
      schema: { tags: TAG, summary: 'Mark one of your notifications read (API keys: 403)', params: Id },
      preHandler: signedIn,
    },
    async (request, reply) => {
      await service.markRead(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
  r.post(
    '/api/v1/notifications/read-all',
    {
      schema: { tags: TAG, summary: 'Mark all your notifications in this organisation read (API keys: 403)' },
      preHandler: signedIn,
    },
    async (request, reply) => {
      await service.markAllRead(request.ctx!);
      return reply.status(204).send();
    },
  );
}
