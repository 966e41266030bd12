import { z } from 'zod';

/**
 * Who made a change. Separate from authorisation: an API key acts as itself (the timeline says
 * "API key 'Zapier'"), background work as the system, an import as that import.
 */
export const ACTOR_TYPES = ['user', 'apiKey', 'system', 'automation', 'import'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];
export interface Actor {
  type: ActorType;
  /** users.id, api_keys.id, imports.id …; null for the system. */
  id: string | null;
}
export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

/** One changed field: `field` is a contact property (`firstName`, `company`, `custom.<key>` …). */
export const FieldChange = z.object({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type FieldChange = z.infer<typeof FieldChange>;

/** What caused a change made to many contacts at once by a change elsewhere (a cascade). */
export const EventCause = z.object({
  type: z.enum(['tag.deleted', 'tag.merged', 'company.renamed', 'company.deleted', 'field.deleted']),
  name: z.string(),
});

/** Where a change came from when it was not a single edit. */
const origin = {
  bulk: z.boolean().optional(),
  importId: z.string().optional(),
  fileName: z.string().optional(),
  row: z.number().optional(),
  cause: EventCause.optional(),
};

/** What an email event on the timeline says about its message. */
const emailData = {
  sendId: z.string(),
  campaignId: z.string().nullable().optional(),
  campaignName: z.string().optional(),
  subject: z.string().optional(),
  source: z.string().optional(),
  /** Privacy-proxy open or security-scanner click. */
  machine: z.boolean().optional(),
  url: z.string().optional(),
  bounceType: z.enum(['hard', 'soft']).optional(),
  reason: z.string().optional(),
};
const EMAIL_TIMELINE_EVENTS = [
  z.object({ type: z.literal('email.sent'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.failed'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.delivered'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.opened'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.clicked'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.bounced'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.complained'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.unsubscribed'), data: z.object(emailData) }),
  z.object({ type: z.literal('email.resubscribed'), data: z.object(emailData) }),
] as const;

/** What the timeline says about an automation run (recorded without the bus: nothing subscribes). */
const automationData = {
  automationId: z.string(),
  automationName: z.string(),
  runId: z.string(),
  nodeId: z.string().optional(),
  nodeType: z.string().optional(),
  /** Human summary: "Added tag engaged", "Waited 1 day", "Sent Welcome". */
  summary: z.string().optional(),
  /** The exit taken (yes/no, event/timeout, a split label) or how the run ended. */
  outcome: z.string().optional(),
};
const AUTOMATION_TIMELINE_EVENTS = [
  z.object({ type: z.literal('automation.enrolled'), data: z.object(automationData) }),
  z.object({ type: z.literal('automation.step'), data: z.object(automationData) }),
  z.object({ type: z.literal('automation.ended'), data: z.object(automationData) }),
] as const;

/**
 * Every change to a contact, recorded once in `contact_events` in the same transaction as the
 * change, and published to subscribers after commit (see docs/architecture.md, "Events").
 */
export const ContactEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('contact.created'),
    data: z.object({ source: z.string().optional(), tags: z.array(z.string()).optional(), ...origin }),
  }),
  z.object({
    type: z.literal('contact.updated'),
    data: z.object({ changes: z.array(FieldChange), ...origin }),
  }),
  /** A tombstone: the contact and the rest of its events are gone; no personal data is kept. */
  z.object({ type: z.literal('contact.deleted'), data: z.object({ bulk: z.boolean().optional() }) }),
  z.object({ type: z.literal('tag.added'), data: z.object({ tags: z.array(z.string()), ...origin }) }),
  z.object({ type: z.literal('tag.removed'), data: z.object({ tags: z.array(z.string()), ...origin }) }),
  z.object({
    type: z.literal('contact.merged'),
    data: z.object({
      mergedContact: z.object({ id: z.string(), name: z.string(), email: z.string().nullable() }),
      changes: z.array(FieldChange).optional(),
    }),
  }),
  z.object({
    type: z.literal('note.added'),
    data: z.object({ noteId: z.string(), excerpt: z.string() }),
  }),
  ...EMAIL_TIMELINE_EVENTS,
  /** A custom event sent to POST /api/v1/events (it can trigger automations). */
  z.object({
    type: z.literal('event.custom'),
    data: z.object({ name: z.string(), properties: z.record(z.string(), z.unknown()) }),
  }),
  ...AUTOMATION_TIMELINE_EVENTS,
]);
export type ContactEvent = z.infer<typeof ContactEventSchema>;
export type ContactEventType = ContactEvent['type'];
export type ContactEventOf<T extends ContactEventType> = Extract<ContactEvent, { type: T }>;

export const CONTACT_EVENT_TYPES = ContactEventSchema.options.map(
  (o) => o.shape.type.value,
) as ContactEventType[];

/** An event as stored and delivered to subscribers. */
export type StoredContactEvent = ContactEvent & {
  id: string;
  orgId: string;
  contactId: string;
  actor: Actor;
  createdAt: string;
};
