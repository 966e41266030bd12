import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import * as service from './tags.service.js';

const Tag = z.object({ id: z.uuid(), name: z.string(), color: z.string(), contactCount: z.number().int() });
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #6366f1');
const Name = z.string().trim().min(1).max(60);
const Id = z.object({ id: z.uuid() });
const TAG = ['Tags'];

export async function tagRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { requirePermission } = opts.guards;
  const write = requirePermission('contacts:write');
  r.get(
    '/api/v1/tags',
    {
      schema: {
        tags: TAG,
        summary: 'Tags with contact counts',
        response: { 200: z.object({ items: z.array(Tag) }) },
      },
      preHandler: requirePermission('contacts:read'),
    },
    async (request) => ({ items: await service.listTags(request.ctx!) }),
  );
  r.post(
    '/api/v1/tags',
    {
      schema: {
        tags: TAG,
        summary: 'Create a tag',
        body: z.object({ name: Name, color: Color.optional() }).strict(),
        response: { 201: Tag },
      },
      preHandler: write,
    },
    async (request, reply) => reply.status(201).send(await service.createTag(request.ctx!, request.body)),
  );
  r.patch(
    '/api/v1/tags/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Rename or recolour a tag',
        params: Id,
        body: z.object({ name: Name.optional(), color: Color.optional() }).strict(),
        response: { 200: Tag },
      },
      preHandler: write,
    },
    async (request) => service.updateTag(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/tags/:id',
    {
      schema: { tags: TAG, summary: 'Delete a tag (removes it from contacts)', params: Id },
      preHandler: write,
    },
    async (request, reply) => {
      await service.deleteTag(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
  r.post(
    '/api/v1/tags/:id/merge',
    {
      schema: {
        tags: TAG,
        summary: 'Merge this tag into another',
        params: Id,
        body: z.object({ intoId: z.uuid() }).strict(),
        response: { 200: Tag },
      },
      preHandler: write,
    },
    async (request) => service.mergeTag(request.ctx!, request.params.id, request.body.intoId),
  );
}
