import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONSENT_BASES } from '../../../common/email.js';
import { NEW_FIELD_TYPES, STANDARD_TARGETS } from '../../../common/imports.js';
import { AppError } from '../../lib/errors.js';
import type { Guards } from '../../plugins/session.js';
import { csvCell } from '../exports/csv-safe.js';
import * as service from './imports.service.js';

const TargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ignore') }),
  z.object({ type: z.literal('standard'), field: z.enum(STANDARD_TARGETS) }),
  z.object({ type: z.literal('custom'), key: z.string().min(1).max(64) }),
  z.object({
    type: z.literal('new_field'),
    label: z.string().trim().min(1).max(80),
    fieldType: z.enum(NEW_FIELD_TYPES),
  }),
]);

const DuplicatePolicy = z.enum(['create_update', 'create_only', 'update_only']);

const Marketing = z
  .discriminatedUnion('mode', [
    z
      .object({
        mode: z.literal('subscribed'),
        basis: z.enum(CONSENT_BASES).describe('The lawful basis (GDPR art. 6)'),
        source: z
          .string()
          .trim()
          .min(1, 'must say where consent was given')
          .max(200)
          .describe('Where these people gave consent, e.g. "Webinar sign-up form 2026"'),
      })
      .strict(),
    z.object({ mode: z.literal('not_subscribed') }).strict(),
    z.object({ mode: z.literal('column') }).strict(),
  ])
  .describe(
    'Marketing email for the contacts the import creates (existing contacts keep their status; an explicit unsubscribed/bounced/complained in the subscription column still applies): "subscribed" with a lawful basis and source; "not_subscribed"; or "column": the mapped subscription column (subscribed/yes/true/1/opted in subscribe, with the basis of a mapped consent basis column, else "consent", and the source "Import <file name>"; anything else does not).',
  );

const ImportSchema = z.object({
  id: z.uuid(),
  status: z.enum(['uploaded', 'queued', 'running', 'done', 'failed', 'cancelled']),
  fileName: z.string(),
  fileSize: z.number(),
  format: z.object({
    encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']),
    bom: z.boolean(),
    delimiter: z.enum([',', ';', '\t']),
    lineEnding: z.enum(['crlf', 'lf', 'cr']),
  }),
  headers: z.array(z.string()),
  preview: z.array(z.array(z.string())),
  totalRows: z.number().int(),
  raggedRows: z.array(z.number().int()),
  mapping: z.array(TargetSchema).nullable(),
  duplicatePolicy: DuplicatePolicy.nullable(),
  extraTags: z.array(z.string()),
  marketing: Marketing.nullable(),
  triggerAutomations: z.boolean(),
  dryRun: z.boolean(),
  progress: z.object({
    rowsDone: z.number().int(),
    totalRows: z.number().int(),
    percent: z.number(),
    rowsPerSecond: z.number().nullable(),
    secondsLeft: z.number().nullable(),
  }),
  counts: z.object({
    created: z.number(),
    updated: z.number(),
    unchanged: z
      .number()
      .describe('Matched a contact that already had every value of the row: nothing written'),
    skipped: z.number(),
    failed: z.number(),
  }),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  suggestedMapping: z.array(TargetSchema).optional(),
});
const Id = z.object({ id: z.uuid() });

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MB`;
  return `${+(n / 1024).toFixed(1)} KB`;
}
const TAG = ['Imports'];

export async function importRoutes(app: FastifyInstance, opts: { guards: Guards }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = opts.guards.requirePermission('contacts:read');
  const write = opts.guards.requirePermission('contacts:write');

  r.post(
    '/api/v1/imports',
    {
      schema: {
        tags: TAG,
        summary:
          'Upload a CSV file (multipart/form-data, field "file"): detected format, headers, preview, suggested mapping',
        consumes: ['multipart/form-data'],
        response: { 201: ImportSchema },
      },
      preHandler: write,
    },
    async (request, reply) => {
      const ctx = request.ctx!;
      if (!request.isMultipart())
        throw new AppError('BAD_REQUEST', 'Send the file as multipart/form-data in a field named "file"');
      const part = await request.file({ limits: { fileSize: ctx.deps.config.importMaxBytes, files: 1 } });
      if (!part) throw new AppError('BAD_REQUEST', 'No file in the upload (field "file")');
      const tmpDir = path.join(ctx.deps.config.dataDir, 'imports', 'tmp');
      await fs.promises.mkdir(tmpDir, { recursive: true });
      const tmpFile = path.join(tmpDir, randomUUID());
      try {
        await pipeline(part.file, fs.createWriteStream(tmpFile, { mode: 0o600 }));
      } catch (err) {
        await fs.promises.rm(tmpFile, { force: true });
        throw err;
      }
      if (part.file.truncated) {
        await fs.promises.rm(tmpFile, { force: true });
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The file is larger than the upload limit of ${formatBytes(ctx.deps.config.importMaxBytes)}`,
        );
      }
      const size = (await fs.promises.stat(tmpFile)).size;
      const dto = await service.createImport(ctx, { fileName: part.filename || 'upload.csv', tmpFile, size });
      return reply.status(201).send(dto);
    },
  );

  r.get(
    '/api/v1/imports',
    {
      schema: {
        tags: TAG,
        summary: 'Import history of the organisation',
        response: {
          200: z.object({
            items: z.array(ImportSchema),
            maxUploadBytes: z
              .number()
              .describe('The largest CSV file this server accepts (IMPORT_MAX_BYTES)'),
          }),
        },
      },
      preHandler: read,
    },
    async (request) => ({
      items: await service.listImports(request.ctx!),
      maxUploadBytes: request.ctx!.deps.config.importMaxBytes,
    }),
  );

  r.get(
    '/api/v1/imports/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Status, progress and counts of an import',
        params: Id,
        response: { 200: ImportSchema },
      },
      preHandler: read,
    },
    async (request) => service.getImport(request.ctx!, request.params.id),
  );

  r.post(
    '/api/v1/imports/:id/format',
    {
      schema: {
        tags: TAG,
        summary: 'Override the detected encoding or delimiter (re-reads the file)',
        params: Id,
        body: z
          .object({
            encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']).optional(),
            delimiter: z.enum([',', ';', '\t']).optional(),
          })
          .strict(),
        response: { 200: ImportSchema },
      },
      preHandler: write,
    },
    async (request) => service.overrideFormat(request.ctx!, request.params.id, request.body),
  );

  r.post(
    '/api/v1/imports/:id/start',
    {
      schema: {
        tags: TAG,
        summary: 'Start (or dry-run) an import with a column mapping and a duplicate policy',
        params: Id,
        body: z
          .object({
            mapping: z.array(TargetSchema).max(500),
            duplicatePolicy: DuplicatePolicy.default('create_update'),
            dryRun: z.boolean().default(false),
            extraTags: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
            marketing: Marketing.optional().describe(
              'Marketing email for new contacts (default: not subscribed). See the schema description.',
            ),
            triggerAutomations: z
              .boolean()
              .default(true)
              .describe('false: the contacts this import creates or changes enrol in no automation'),
          })
          .strict(),
        response: { 200: ImportSchema },
      },
      preHandler: write,
    },
    async (request) => service.startImport(request.ctx!, request.params.id, request.body),
  );

  r.post(
    '/api/v1/imports/:id/cancel',
    {
      schema: {
        tags: TAG,
        summary: 'Cancel an import (rows already committed stay)',
        params: Id,
        response: { 200: ImportSchema },
      },
      preHandler: write,
    },
    async (request) => service.cancelImport(request.ctx!, request.params.id),
  );

  r.get(
    '/api/v1/imports/:id/errors.csv',
    {
      schema: {
        tags: TAG,
        summary: 'The per-row error report as CSV (row, column, value, reason)',
        params: Id,
      },
      preHandler: read,
    },
    async (request, reply) => {
      const ctx = request.ctx!;
      await service.getImport(ctx, request.params.id); // 404 before streaming
      const lines = (async function* () {
        yield '\uFEFFrow,column,value,reason\r\n';
        for await (const e of service.errorReport(ctx, request.params.id)) {
          yield `${[String(e.row), e.column, e.value, e.reason].map(csvCell).join(',')}\r\n`;
        }
      })();
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${request.params.id}-errors.csv"`)
        .send(Readable.from(lines));
    },
  );
}
