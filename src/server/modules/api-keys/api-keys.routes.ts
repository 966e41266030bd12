import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_KEY_SCOPES } from '../../../common/contacts.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './api-keys.service.js';

const ApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scope: z.enum(API_KEY_SCOPES),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  ownerId: z.uuid().nullable(),
  createdByName: z.string().nullable(),
});
const TAG = ['API keys'];

export async function apiKeyRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = opts.guards.requirePermission('settings:write', { allowApiKey: false });
  r.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags: TAG,
        summary: 'API keys of the organisation',
        response: { 200: z.object({ items: z.array(ApiKey) }) },
      },
      preHandler: admin,
    },
    async (request) => ({ items: await service.listApiKeys(request.ctx!) }),
  );
  r.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags: TAG,
        summary: 'Create an API key (the secret is returned once)',
        body: z.object({ name: z.string().trim().min(1).max(100), scope: z.enum(API_KEY_SCOPES) }).strict(),
        response: { 201: ApiKey.extend({ key: z.string() }) },
      },
      preHandler: admin,
    },
    async (request, reply) => reply.status(201).send(await service.createApiKey(request.ctx!, request.body)),
  );
  r.patch(
    '/api/v1/api-keys/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Re-home an API key to another member (keys stop working when their member leaves)',
        params: z.object({ id: z.uuid() }),
        body: z.object({ ownerId: z.uuid() }).strict(),
        response: { 200: ApiKey },
      },
      preHandler: admin,
    },
    async (request) => service.rehomeApiKey(request.ctx!, request.params.id, request.body.ownerId),
  );
  r.delete(
    '/api/v1/api-keys/:id',
    {
      schema: { tags: TAG, summary: 'Revoke an API key', params: z.object({ id: z.uuid() }) },
      preHandler: admin,
    },
    async (request, reply) => {
      await service.revokeApiKey(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
}
