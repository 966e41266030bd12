import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { organizations } from './organizations.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A CSV import: the uploaded file's format, the chosen mapping, progress and the outcome. */
export const imports = pgTable(
  'imports',
  {
    id: uuid('id').primaryKey().default(sql`uuid_v7()`),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    status: text('status').notNull().default('uploaded'),
    fileName: text('file_name').notNull(),
    fileSize: integer('file_size').notNull(),
    format: jsonb('format').$type<Record<string, unknown>>().notNull(),
    headers: jsonb('headers').$type<string[]>().notNull(),
    preview: jsonb('preview').$type<string[][]>().notNull(),
    totalRows: integer('total_rows').notNull(),
    raggedRows: jsonb('ragged_rows').$type<number[]>().notNull().default([]),
    mapping: jsonb('mapping').$type<unknown[]>(),
    options: jsonb('options').$type<Record<string, unknown>>(),
    dryRun: boolean('dry_run').notNull().default(false),
    rowsDone: integer('rows_done').notNull().default(0),
    /** Records committed per partition of the rows (one writer each); resume skips them. */
    partsDone: integer('parts_done').array(),
    createdCount: integer('created_count').notNull().default(0),
    updatedCount: integer('updated_count').notNull().default(0),
    skippedCount: integer('skipped_count').notNull().default(0),
    /** Rows that matched a contact whose values already were the file's: nothing written. */
    unchangedCount: integer('unchanged_count').notNull().default(0),
    failedCount: integer('failed_count').notNull().default(0),
    error: text('error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    heartbeatAt: ts('heartbeat_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    index('imports_org_idx').on(t.orgId, t.createdAt),
    check(
      'imports_status_ck',
      sql`${t.status} in ('uploaded','queued','running','done','failed','cancelled')`,
    ),
  ],
);

/** One line of an import's report: a rejected row (or a merged duplicate), with the reason. */
export const importErrors = pgTable(
  'import_errors',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    importId: uuid('import_id')
      .notNull()
      .references(() => imports.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull(),
    row: integer('row').notNull(),
    column: text('column').notNull().default(''),
    value: text('value').notNull().default(''),
    reason: text('reason').notNull(),
  },
  (t) => [index('import_errors_import_idx').on(t.importId, t.row)],
);
