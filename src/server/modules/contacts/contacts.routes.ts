import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACTOR_TYPES } from '../../../common/events.js';
import type { Guards } from '../../plugins/session.js';
import { getBulkOperation, runBulk } from './contacts.bulk.js';
import {
  BulkAction,
  ContactPage,
  ContactSchema,
  ContactWrite,
  IdParams,
  PageQuery,
  SearchBody,
  Selection,
} from './contacts.schemas.js';
import * as service from './contacts.service.js';
import { FIELD_TYPES_FOR_FILTER } from './filter-field-schema.js';

const TAG = ['Contacts'];

export async function contactRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const { requirePermission } = opts.guards;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = requirePermission('contacts:read');
  const write = requirePermission('contacts:write');

  r.get(
    '/api/v1/contacts',
    {
      schema: {
        tags: TAG,
        summary: 'List contacts (search, sort, keyset pagination)',
        querystring: PageQuery,
        response: { 200: ContactPage },
      },
      preHandler: read,
    },
    async (request) => service.listContacts(request.ctx!, request.query),
  );

  r.post(
    '/api/v1/contacts/search',
    {
      schema: {
        tags: TAG,
        summary: 'Find contacts with a filter expression, search string or segment',
        body: SearchBody,
        response: { 200: ContactPage },
      },
      preHandler: read,
    },
    async (request) => service.listContacts(request.ctx!, request.body),
  );

  r.get(
    '/api/v1/contacts/count',
    {
      schema: {
        tags: TAG,
        summary: 'Count contacts (optionally matching a search string)',
        querystring: z.object({ search: z.string().max(200).optional() }),
        response: { 200: z.object({ count: z.number().int() }) },
      },
      preHandler: read,
    },
    async (request) => ({ count: await service.countContacts(request.ctx!, request.query) }),
  );

  r.get(
    '/api/v1/contacts/filter-fields',
    {
      schema: {
        tags: TAG,
        summary: 'Fields and operators available to filter expressions',
        response: { 200: z.object({ items: z.array(FIELD_TYPES_FOR_FILTER) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.getFilterFields(request.ctx!) }),
  );

  r.post(
    '/api/v1/contacts',
    {
      schema: {
        tags: TAG,
        summary: 'Create a contact',
        body: ContactWrite,
        response: { 201: ContactSchema },
      },
      preHandler: write,
    },
    async (request, reply) => reply.status(201).send(await service.createContact(request.ctx!, request.body)),
  );

  r.get(
    '/api/v1/contacts/:id',
    {
      schema: { tags: TAG, summary: 'Get a contact', params: IdParams, response: { 200: ContactSchema } },
      preHandler: read,
    },
    async (request) => service.getContact(request.ctx!, request.params.id),
  );

  r.patch(
    '/api/v1/contacts/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Update a contact (partial)',
        params: IdParams,
        body: ContactWrite,
        response: { 200: ContactSchema },
      },
      preHandler: write,
    },
    async (request) => service.updateContact(request.ctx!, request.params.id, request.body),
  );

  r.delete(
    '/api/v1/contacts/:id',
    { schema: { tags: TAG, summary: 'Delete a contact', params: IdParams }, preHandler: write },
    async (request, reply) => {
      await service.deleteContact(request.ctx!, request.params.id);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/contacts/:id/timeline',
    {
      schema: {
        tags: TAG,
        summary: "A contact's activity timeline, newest first",
        params: IdParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).optional(),
          cursor: z.string().max(500).optional(),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                type: z.string(),
                actor: z.object({
                  type: z.enum(ACTOR_TYPES),
                  id: z.uuid().nullable(),
                  name: z.string(),
                }),
                data: z.record(z.string(), z.unknown()),
                createdAt: z.string(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
      preHandler: read,
    },
    async (request) => service.getTimeline(request.ctx!, request.params.id, request.query),
  );

  r.post(
    '/api/v1/contacts/:id/merge',
    {
      schema: {
        tags: TAG,
        summary: 'Merge another contact into this one (the other is deleted)',
        params: IdParams,
        body: z
          .object({ otherId: z.uuid(), prefer: z.record(z.string(), z.enum(['this', 'other'])).optional() })
          .strict(),
        response: { 200: ContactSchema },
      },
      preHandler: write,
    },
    async (request) => service.mergeContacts(request.ctx!, request.params.id, request.body),
  );

  r.post(
    '/api/v1/contacts/bulk',
    {
      schema: {
        tags: TAG,
        summary: 'Bulk action on selected ids or on everything matching a filter (large ones run as a job)',
        description:
          'The selection is `{ ids }`, or `{ filter?, search?, segmentId? }` with at least one filter condition, ' +
          'a non-blank search or a segment. To act on every contact of the organisation, send `{ "all": true }` ' +
          'as the selection; an empty selection is refused (400) so that a missing filter never deletes everything.',
        body: z.object({ selection: Selection, action: BulkAction }).strict(),
        response: {
          200: z.object({
            operationId: z.null(),
            affected: z.number().int(),
            results: z
              .array(z.object({ id: z.uuid(), status: z.enum(['ok', 'not_found', 'restricted']) }))
              .optional(),
          }),
          202: z.object({ operationId: z.uuid(), affected: z.null() }),
        },
      },
      preHandler: write,
    },
    async (request, reply) => {
      const result = await runBulk(request.ctx!, request.body);
      return reply.status(result.operationId ? 202 : 200).send(result as never);
    },
  );

  r.get(
    '/api/v1/bulk-operations/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Progress of a bulk action',
        params: IdParams,
        response: {
          200: z.object({
            id: z.uuid(),
            status: z.enum(['queued', 'running', 'done', 'failed']),
            total: z.number().int(),
            done: z.number().int(),
            error: z.string().nullable(),
          }),
        },
      },
      preHandler: read,
    },
    async (request) => getBulkOperation(request.ctx!, request.params.id),
  );
}
