import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FilterNode } from '../../../common/filters.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './segments.service.js';

const Segment = z.object({
  id: z.uuid(),
  name: z.string(),
  filter: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Id = z.object({ id: z.uuid() });
const Name = z.string().trim().min(1).max(100);
const TAG = ['Segments'];

export async function segmentRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('contacts:read');
  const write = opts.guards.requirePermission('contacts:write');
  r.get(
    '/api/v1/segments',
    {
      schema: {
        tags: TAG,
        summary: 'Saved segments',
        response: { 200: z.object({ items: z.array(Segment) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.listSegments(request.ctx!) }),
  );
  r.post(
    '/api/v1/segments',
    {
      schema: {
        tags: TAG,
        summary: 'Save a filter expression as a segment',
        body: z.object({ name: Name, filter: FilterNode }).strict(),
        response: { 201: Segment },
      },
      preHandler: write,
    },
    async (request, reply) => reply.status(201).send(await service.createSegment(request.ctx!, request.body)),
  );
  r.get(
    '/api/v1/segments/:id',
    {
      schema: { tags: TAG, summary: 'Get a segment', params: Id, response: { 200: Segment } },
      preHandler: read,
    },
    async (request) => service.getSegment(request.ctx!, request.params.id),
  );
  r.patch(
    '/api/v1/segments/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Rename a segment or change its filter',
        params: Id,
        body: z.object({ name: Name.optional(), filter: FilterNode.optional() }).strict(),
        response: { 200: Segment },
      },
      preHandler: write,
    },
    async (request) => service.updateSegment(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/segments/:id',
    { schema: { tags: TAG, summary: 'Delete a segment', params: Id }, preHandler: write },
    async (request, reply) => {
      await service.deleteSegment(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
  r.get(
    '/api/v1/segments/:id/count',
    {
      schema: {
        tags: TAG,
        summary: 'Live count of contacts in a segment',
        params: Id,
        response: { 200: z.object({ count: z.number().int() }) },
      },
      preHandler: read,
    },
    async (request) => ({ count: await service.segmentCount(request.ctx!, request.params.id) }),
  );
}
