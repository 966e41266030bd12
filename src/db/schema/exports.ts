import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { organizations } from './organizations.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** An export file being built or ready for download (expires). */
export const exportsTable = pgTable(
  'exports',
  {
    id: uuid('id').primaryKey().default(sql`uuid_v7()`),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    kind: text('kind').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('queued'),
    rows: integer('rows').notNull().default(0),
    fileSize: bigint('file_size', { mode: 'number' }),
    error: text('error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
    expiresAt: ts('expires_at'),
  },
  (t) => [
    index('exports_org_idx').on(t.orgId, t.createdAt),
    check('exports_kind_ck', sql`${t.kind} in ('contacts_csv','organization_zip')`),
    check('exports_status_ck', sql`${t.status} in ('queued','running','done','failed','expired')`),
  ],
);
