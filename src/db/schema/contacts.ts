import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { organizations } from './organizations.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/**
 * Time-ordered primary key (UUIDv7, the `uuid_v7()` SQL function of migration 0009) for tables
 * that grow by the million: consecutive rows land on the same btree pages, so bulk inserts do not
 * dirty random leaf pages of the primary key (decision 004).
 */
export const v7id = () => uuid('id').primaryKey().default(sql`uuid_v7()`);

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const orgId = () =>
  uuid('org_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export interface Address {
  street?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

/** Custom field definitions, per organisation and entity. Values live in `custom` jsonb by key. */
export const fieldDefinitions = pgTable(
  'field_definitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    entity: text('entity').notNull(), // 'contact' | 'company'
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type').notNull(),
    required: boolean('required').notNull().default(false),
    options: jsonb('options').$type<string[]>().notNull().default([]),
    position: integer('position').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('field_definitions_org_entity_key_uq').on(t.orgId, t.entity, t.key),
    check('field_definitions_entity_ck', sql`${t.entity} in ('contact','company')`),
    check(
      'field_definitions_type_ck',
      sql`${t.type} in ('text','long_text','number','date','boolean','single_select','multi_select','url','email','phone')`,
    ),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text('name').notNull(),
    color: text('color').notNull().default('#6366f1'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tags_org_name_uq').on(t.orgId, sql`lower(${t.name})`)],
);

export const companies = pgTable(
  'companies',
  {
    id: v7id(),
    orgId: orgId(),
    name: text('name').notNull(),
    domain: text('domain'),
    industry: text('industry'),
    size: text('size'),
    website: text('website'),
    address: jsonb('address').$type<Address>(),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('companies_org_domain_uq').on(t.orgId, sql`lower(${t.domain})`),
    index('companies_org_name_idx').on(t.orgId, sql`lower(${t.name})`, t.id),
    index('companies_name_trgm_idx').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: v7id(),
    orgId: orgId(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    email: text('email'),
    emails: text('emails').array().notNull().default(sql`'{}'::text[]`),
    phones: text('phones').array().notNull().default(sql`'{}'::text[]`),
    jobTitle: text('job_title').notNull().default(''),
    companyId: uuid('company_id').references(() => companies.id, { onDelete: 'set null' }),
    /** Denormalised company name, kept in step on company rename: search and sort without a join. */
    companyName: text('company_name').notNull().default(''),
    address: jsonb('address').$type<Address>(),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    source: text('source').notNull().default(''),
    subscriptionStatus: text('subscription_status').notNull().default('not_subscribed'),
    consentSource: text('consent_source'),
    /** Lawful basis of a marketing subscription: consent, contract, legitimate_interest … */
    consentBasis: text('consent_basis'),
    consentAt: ts('consent_at'),
    restricted: boolean('restricted').notNull().default(false),
    tagIds: uuid('tag_ids').array().notNull().default(sql`'{}'::uuid[]`),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    /**
     * Word-prefix search: unaccented, lower-cased words of the names, emails (split at @ . + - _),
     * company and phones (plus digit runs), maintained by the `contacts_search_vector` trigger.
     */
    searchVector: tsvector('search_vector').notNull().default(sql`''::tsvector`),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contacts_org_email_uq').on(t.orgId, sql`lower(${t.email})`),
    index('contacts_org_created_idx').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('contacts_org_updated_idx').on(t.orgId, t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('contacts_org_last_name_idx').on(t.orgId, sql`lower(${t.lastName})`, t.id),
    // Only the default (created), updated and last-name sorts have a btree. Each sort btree with
    // random keys costs an import of 1M rows more than it saves (decision 004, migration 0012): the
    // first-name, email, company and job-title sorts are a parallel scan + top-N heapsort.
    index('contacts_company_idx').on(t.orgId, t.companyId),
    index('contacts_tags_gin_idx').using('gin', t.tagIds),
    // `custom @> {"key": value}` (equality on select, number and boolean custom fields).
    index('contacts_custom_gin_idx').using('gin', sql`${t.custom} jsonb_path_ops`),
    index('contacts_search_idx').using('gin', t.searchVector),
    check(
      'contacts_subscription_ck',
      sql`${t.subscriptionStatus} in ('subscribed','not_subscribed','unsubscribed','bounced','complained')`,
    ),
  ],
);

export const notes = pgTable(
  'notes',
  {
    id: v7id(),
    orgId: orgId(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    companyId: uuid('company_id').references(() => companies.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('notes_contact_idx').on(t.orgId, t.contactId, t.createdAt.desc()),
    index('notes_company_idx').on(t.orgId, t.companyId, t.createdAt.desc()),
    check('notes_target_ck', sql`(${t.contactId} is not null) <> (${t.companyId} is not null)`),
  ],
);

/**
 * The activity timeline: one typed event per change (`src/common/events.ts`), written in the same
 * transaction as the change by the contacts write path only. `seq` orders events of one
 * transaction (they share `created_at`).
 */
export const contactEvents = pgTable(
  'contact_events',
  {
    id: v7id(),
    seq: bigint('seq', { mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    orgId: orgId(),
    contactId: uuid('contact_id').notNull(),
    type: text('type').notNull(),
    actorType: text('actor_type').notNull().default('user'),
    actorId: uuid('actor_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('contact_events_timeline_idx').on(
      t.orgId,
      t.contactId,
      t.createdAt.desc().nullsFirst(),
      t.seq.desc().nullsFirst(),
    ),
    check(
      'contact_events_type_ck',
      sql`${t.type} in ('contact.created','contact.updated','contact.deleted','tag.added','tag.removed','contact.merged','note.added','email.sent','email.failed','email.delivered','email.opened','email.clicked','email.bounced','email.complained','email.unsubscribed','email.resubscribed','event.custom','automation.enrolled','automation.step','automation.ended')`,
    ),
    check(
      'contact_events_actor_type_ck',
      sql`${t.actorType} in ('user','apiKey','system','automation','import')`,
    ),
  ],
);

/**
 * Transactional outbox of the event bus: one row per writing statement (its event ids), inserted
 * in the same transaction as the events; the dispatcher hands them to subscribers and deletes the
 * row, so an event committed just before a crash is still delivered after the restart.
 */
export const eventOutbox = pgTable('event_outbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  orgId: orgId(),
  eventIds: uuid('event_ids').array().notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const segments = pgTable(
  'segments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text('name').notNull(),
    filter: jsonb('filter').$type<unknown>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('segments_org_name_uq').on(t.orgId, sql`lower(${t.name})`)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text('name').notNull(),
    /** First characters of the key, shown in the UI to tell keys apart. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole key (keys are 256-bit random: a fast hash is enough). */
    hash: text('hash').notNull().unique(),
    scope: text('scope').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('api_keys_org_idx').on(t.orgId, t.createdAt),
    check('api_keys_scope_ck', sql`${t.scope} in ('read','read_write')`),
  ],
);

/** Bulk actions over many contacts run as jobs; this row is their progress. */
export const bulkOperations = pgTable(
  'bulk_operations',
  {
    id: v7id(),
    orgId: orgId(),
    action: jsonb('action').$type<Record<string, unknown>>().notNull(),
    selection: jsonb('selection').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('queued'),
    total: integer('total').notNull().default(0),
    done: integer('done').notNull().default(0),
    error: text('error'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Who the timeline names for the changes (a user or an API key), `{ type, id }`. */
    actor: jsonb('actor').$type<{ type: string; id: string | null }>(),
    heartbeatAt: ts('heartbeat_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('bulk_operations_org_idx').on(t.orgId, t.createdAt)],
);
