import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guards } from '../../plugins/session.js';
import * as service from './notes.service.js';

const Note = z.object({
  id: z.uuid(),
  body: z.string(),
  author: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Body = z.object({ body: z.string().trim().min(1, 'is required').max(50_000) }).strict();
const Id = z.object({ id: z.uuid() });
const TAG = ['Notes'];

export async function noteRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('contacts:read');
  const write = opts.guards.requirePermission('contacts:write');
  for (const [path, key] of [
    ['contacts', 'contactId'],
    ['companies', 'companyId'],
  ] as const) {
    const target = (id: string) => (key === 'contactId' ? { contactId: id } : { companyId: id });
    r.get(
      `/api/v1/${path}/:id/notes`,
      {
        schema: {
          tags: TAG,
          summary: `Notes on a ${path.slice(0, -1).replace('companie', 'company')}`,
          params: Id,
          response: { 200: z.object({ items: z.array(Note) }) },
        },
        preHandler: read,
      },
      async (request) => ({ items: await service.listNotes(request.ctx!, target(request.params.id)) }),
    );
    r.post(
      `/api/v1/${path}/:id/notes`,
      {
        schema: {
          tags: TAG,
          summary: `Add a note (markdown) to a ${path === 'contacts' ? 'contact' : 'company'}`,
          params: Id,
          body: Body,
          response: { 201: Note },
        },
        preHandler: write,
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await service.addNote(request.ctx!, target(request.params.id), request.body.body)),
    );
  }
  r.patch(
    '/api/v1/notes/:id',
    {
      schema: { tags: TAG, summary: 'Edit a note', params: Id, body: Body, response: { 200: Note } },
      preHandler: write,
    },
    async (request) => service.updateNote(request.ctx!, request.params.id, request.body.body),
  );
  r.delete(
    '/api/v1/notes/:id',
    { schema: { tags: TAG, summary: 'Delete a note', params: Id }, preHandler: write },
    async (request, reply) => {
      await service.deleteNote(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );
}
