import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FilterNode } from '../../../common/filters.js';
import type { Guards } from '../../plugins/session.js';
import * as service from './exports.service.js';

const ExportSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['contacts_csv', 'organization_zip']),
  status: z.enum(['queued', 'running', 'done', 'failed', 'expired']),
  rows: z.number().int(),
  fileSize: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  downloadUrl: z.string().nullable(),
});
const Id = z.object({ id: z.uuid() });
const TAG = ['Exports'];

const ExportBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('contacts_csv'),
      filter: FilterNode.optional(),
      search: z.string().max(200).optional(),
      segmentId: z.uuid().optional(),
      ids: z.array(z.uuid()).max(10_000).optional(),
      sort: z
        .string()
        .max(100)
        .optional()
        .describe('The contacts list sort, e.g. lastName or -createdAt (the default) or custom.score'),
      columns: z.array(z.string().max(80)).max(200).default(service.DEFAULT_COLUMNS),
      bom: z.boolean().default(false),
    })
    .strict(),
  z.object({ kind: z.literal('organization_zip') }).strict(),
]);

export async function exportRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('contacts:read');

  r.post(
    '/api/v1/exports',
    {
      schema: {
        tags: TAG,
        summary:
          'Export contacts (a filter, segment, search or ids) to CSV, or the whole organisation as a zip (owners)',
        body: ExportBody,
        response: { 202: ExportSchema },
      },
      preHandler: read,
    },
    async (request, reply) => {
      const b = request.body;
      const dto =
        b.kind === 'organization_zip'
          ? await service.createExport(request.ctx!, { kind: 'organization_zip' })
          : await service.createExport(request.ctx!, {
              kind: 'contacts_csv',
              params: {
                filter: b.filter,
                search: b.search,
                segmentId: b.segmentId,
                ids: b.ids,
                sort: b.sort,
                columns: b.columns,
                bom: b.bom,
              },
            });
      return reply.status(202).send(dto);
    },
  );

  r.get(
    '/api/v1/exports',
    {
      schema: {
        tags: TAG,
        summary: 'Recent exports',
        response: { 200: z.object({ items: z.array(ExportSchema) }) },
      },
      preHandler: read,
    },
    async (request) => ({ items: await service.listExports(request.ctx!) }),
  );

  r.get(
    '/api/v1/exports/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Status of an export (and its download link when done)',
        params: Id,
        response: { 200: ExportSchema },
      },
      preHandler: read,
    },
    async (request) => service.getExport(request.ctx!, request.params.id),
  );

  r.get(
    '/api/v1/exports/:id/download',
    {
      schema: {
        tags: TAG,
        summary: 'Download an export (members of its organisation only; the link expires)',
        params: Id,
      },
      preHandler: opts.guards.requirePermission('contacts:read', { allowApiKey: true }),
    },
    async (request, reply) => {
      const info = await service.downloadInfo(request.ctx!, request.params.id);
      return reply
        .header('content-type', info.contentType)
        .header('content-disposition', `attachment; filename="${info.fileName}"`)
        .header('cache-control', 'private, no-store')
        .send(fs.createReadStream(info.file));
    },
  );

  r.get(
    '/api/v1/contacts/:id/export',
    {
      schema: {
        tags: TAG,
        summary: "Everything held about one contact, as one JSON document (a data subject's access request)",
        params: Id,
      },
      preHandler: read,
    },
    async (request, reply) => {
      const doc = await service.exportContact(request.ctx!, request.params.id);
      return reply
        .header('content-disposition', `attachment; filename="contact-${request.params.id}.json"`)
        .header('cache-control', 'private, no-store')
        .send(doc);
    },
  );
}
