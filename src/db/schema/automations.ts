import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { contacts, v7id } from './contacts.js';
import { organizations } from './organizations.js';

/*
 * Automations (decision 011): workflows with versions, runs (one per enrolment of a contact) and
 * the step ledger (one row per run and node: a retried job never repeats a side effect).
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const orgId = () =>
  uuid('org_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export const automations = pgTable(
  'automations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').notNull().default('draft'),
    /** The newest version (edited in place until it is first activated). */
    latestVersion: integer('latest_version').notNull().default(1),
    /** The version new enrolments start on (set by activation). */
    activeVersion: integer('active_version'),
    /** The trigger of the active version, for matching events without reading every graph. */
    triggerType: text('trigger_type'),
    trigger: jsonb('trigger'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('automations_org_idx').on(t.orgId, t.createdAt),
    index('automations_trigger_idx').on(t.orgId, t.triggerType).where(sql`${t.status} = 'active'`),
    check('automations_status_ck', sql`${t.status} in ('draft','active','paused')`),
  ],
);

export const automationVersions = pgTable(
  'automation_versions',
  {
    automationId: uuid('automation_id')
      .notNull()
      .references(() => automations.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    version: integer('version').notNull(),
    definition: jsonb('definition').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** First activation: from then on an edit makes a new version. */
    publishedAt: ts('published_at'),
  },
  (t) => [primaryKey({ columns: [t.automationId, t.version] })],
);

export const automationRuns = pgTable(
  'automation_runs',
  {
    id: v7id(),
    orgId: orgId(),
    automationId: uuid('automation_id')
      .notNull()
      .references(() => automations.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    state: text('state').notNull().default('active'),
    /** The node to run next (or being waited on). */
    currentNode: text('current_node'),
    /** Waiting: when the wait ends (a timeout for wait_event). */
    wakeAt: ts('wake_at'),
    /** wait_event: what ends the wait early. */
    waitingFor: jsonb('waiting_for'),
    /** The trigger event (type, data) that enrolled the contact, for conditions and webhooks. */
    context: jsonb('context').notNull().default({}),
    /** Queue priority of this run's step jobs (bursts get lower priority: fairness). */
    priority: integer('priority').notNull().default(0),
    /** Dedupe of enrolments (a date occurrence, a custom event, a manual enrolment request). */
    triggerKey: text('trigger_key'),
    error: text('error'),
    exitReason: text('exit_reason'),
    enrolledAt: ts('enrolled_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    endedAt: ts('ended_at'),
  },
  (t) => [
    uniqueIndex('automation_runs_one_open_idx')
      .on(t.automationId, t.contactId)
      .where(sql`${t.state} in ('active','waiting')`),
    uniqueIndex('automation_runs_trigger_key_idx')
      .on(t.automationId, t.contactId, t.triggerKey)
      .where(sql`${t.triggerKey} is not null`),
    index('automation_runs_list_idx').on(t.orgId, t.automationId, t.state, t.id.desc()),
    index('automation_runs_contact_idx').on(t.contactId, t.automationId),
    index('automation_runs_wake_idx').on(t.wakeAt).where(sql`${t.state} = 'waiting'`),
    index('automation_runs_stuck_idx').on(t.updatedAt).where(sql`${t.state} = 'active'`),
    check(
      'automation_runs_state_ck',
      sql`${t.state} in ('active','waiting','completed','exited','failed','canceled')`,
    ),
  ],
);

export const automationSteps = pgTable(
  'automation_steps',
  {
    id: v7id(),
    orgId: orgId(),
    runId: uuid('run_id')
      .notNull()
      .references(() => automationRuns.id, { onDelete: 'cascade' }),
    automationId: uuid('automation_id').notNull(),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    /** running (an outgoing call in flight), waiting, done, failed, skipped. */
    state: text('state').notNull(),
    /** The exit taken. */
    outcome: text('outcome'),
    result: jsonb('result'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(1),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    uniqueIndex('automation_steps_run_node_idx').on(t.runId, t.nodeId),
    index('automation_steps_automation_idx').on(t.automationId, t.nodeId, t.state),
    check('automation_steps_state_ck', sql`${t.state} in ('running','waiting','done','failed','skipped')`),
  ],
);

/** Members of a segment as last seen, per automation with a segment trigger (entered/left diffs). */
export const automationSegmentMembers = pgTable(
  'automation_segment_members',
  {
    automationId: uuid('automation_id')
      .notNull()
      .references(() => automations.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.automationId, t.contactId] })],
);

/** In-app notifications (a workflow's "notify a teammate"). */
export const notifications = pgTable(
  'notifications',
  {
    id: v7id(),
    orgId: orgId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    link: text('link'),
    createdAt: ts('created_at').notNull().defaultNow(),
    readAt: ts('read_at'),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.orgId, t.id.desc())],
);
