import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CUSTOM_FIELD_TYPES, FIELD_ENTITIES } from '../../../common/contacts.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './fields.service.js';

const Field = z.object({
  id: z.uuid(),
  entity: z.enum(FIELD_ENTITIES),
  key: z.string(),
  label: z.string(),
  type: z.enum(CUSTOM_FIELD_TYPES),
  required: z.boolean(),
  options: z.array(z.string()),
  position: z.number().int(),
});
const Options = z.array(z.string().trim().min(1).max(100)).max(200);
const TAG = ['Custom fields'];

export async function fieldRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { requirePermission } = opts.guards;
  r.get(
    '/api/v1/fields',
    {
      schema: {
        tags: TAG,
        summary: 'Custom field definitions',
        querystring: z.object({ entity: z.enum(FIELD_ENTITIES).optional() }),
        response: { 200: z.object({ items: z.array(Field) }) },
      },
      preHandler: requirePermission('contacts:read'),
    },
    async (request) => ({ items: await service.listFields(request.ctx!, request.query.entity) }),
  );
  r.post(
    '/api/v1/fields',
    {
      schema: {
        tags: TAG,
        summary: 'Define a custom field',
        body: z
          .object({
            entity: z.enum(FIELD_ENTITIES),
            label: z.string().trim().min(1).max(80),
            key: z
              .string()
              .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must start with a letter and use a-z, 0-9 and _ (at most 40)')
              .optional(),
            type: z.enum(CUSTOM_FIELD_TYPES),
            required: z.boolean().optional(),
            options: Options.optional(),
          })
          .strict(),
        response: { 201: Field },
      },
      preHandler: requirePermission('settings:write'),
    },
    async (request, reply) => reply.status(201).send(await service.createField(request.ctx!, request.body)),
  );
  r.patch(
    '/api/v1/fields/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Rename or change a custom field (values are kept)',
        params: z.object({ id: z.uuid() }),
        body: z
          .object({
            label: z.string().trim().min(1).max(80).optional(),
            required: z.boolean().optional(),
            options: Options.optional(),
            position: z.number().int().min(0).max(10_000).optional(),
          })
          .strict(),
        response: { 200: Field },
      },
      preHandler: requirePermission('settings:write'),
    },
    async (request) => service.updateField(request.ctx!, request.params.id, request.body),
  );
  r.delete(
    '/api/v1/fields/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Delete a custom field and its values (needs confirm=true)',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ confirm: z.enum(['true', 'false']).optional() }),
      },
      preHandler: requirePermission('settings:write'),
    },
    async (request, reply) => {
      await service.deleteField(request.ctx!, request.params.id, request.query.confirm === 'true');
      return reply.status(204).send();
    },
  );
}
