import { z } from 'zod';
import { SUBSCRIPTION_STATUSES } from '../../../common/contacts.js';
import { CONSENT_BASES } from '../../../common/email.js';
import { FilterNode, selectsEverything } from '../../../common/filters.js';

/** Counts that come with a page stop here unless asked for exactly (decision 004). */
export const COUNT_CAP = 10_000;

export const IdParams = z.object({ id: z.uuid('must be a UUID') });
const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be a valid email address'));
const Phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^[+()0-9 .\-/x]{3,40}$/i, 'must be a phone number');
const Text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

export const AddressSchema = z
  .object({
    street: Text(200).optional(),
    city: Text(100).optional(),
    region: Text(100).optional(),
    postalCode: Text(20).optional(),
    country: Text(100).optional(),
  })
  .strict();

/** An address as stored and returned (written through AddressSchema or an import's address columns). */
export const AddressOut = z.object({
  street: z.string().optional(),
  city: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});

const TagName = z.string().trim().min(1).max(60, 'tag names are at most 60 characters');

export const ContactWrite = z
  .object({
    firstName: Text(100),
    lastName: Text(100),
    email: z.union([Email, z.literal(''), z.null()]),
    emails: z.array(Email).max(20),
    phones: z.array(Phone).max(20),
    jobTitle: Text(200),
    companyId: z.uuid().nullable(),
    address: AddressSchema.nullable(),
    ownerId: z.uuid().nullable(),
    source: Text(100),
    subscriptionStatus: z.enum(SUBSCRIPTION_STATUSES),
    consent: z
      .object({
        basis: z.enum(CONSENT_BASES).describe('The lawful basis of the marketing subscription (GDPR art. 6)'),
        source: Text(200)
          .min(1, 'must say where consent was given')
          .describe('Where and how consent was given, e.g. "Webinar sign-up form 2026"'),
        at: z.iso.datetime({ offset: true }).optional().describe('When consent was given (default: now)'),
      })
      .strict()
      .nullable()
      .describe(
        'The consent record. Required when subscriptionStatus becomes "subscribed" (a new contact is "not_subscribed" unless it says otherwise).',
      ),
    restricted: z.boolean(),
    tags: z.array(TagName).max(100),
    customFields: z.record(z.string().max(64), z.unknown()),
  })
  .partial()
  .strict();

export const ContactSchema = z.object({
  id: z.uuid(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().nullable(),
  emails: z.array(z.string()),
  phones: z.array(z.string()),
  jobTitle: z.string(),
  company: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  address: AddressOut.nullable(),
  owner: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  source: z.string(),
  subscriptionStatus: z.enum(SUBSCRIPTION_STATUSES),
  consent: z
    .object({ basis: z.enum(CONSENT_BASES).nullable(), source: z.string(), at: z.string().nullable() })
    .nullable(),
  restricted: z.boolean(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const PageQuery = z.object({
  search: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(2000).optional(),
  sort: z.string().max(100).optional(),
});

export const SearchBody = z
  .object({
    filter: FilterNode.optional(),
    search: z.string().max(200).optional(),
    segmentId: z.uuid().optional(),
    sort: z.string().max(100).optional(),
    limit: z.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2000).optional(),
    includeCount: z.boolean().optional(),
    exactCount: z
      .boolean()
      .optional()
      .describe(
        `With includeCount: count every matching contact. Without it the count stops at ${COUNT_CAP.toLocaleString('en')} (countCapped: true), which stays fast at a million contacts.`,
      ),
  })
  .strict();

export const ContactPage = z.object({
  items: z.array(ContactSchema),
  nextCursor: z.string().nullable(),
  count: z.number().int().optional(),
  countCapped: z
    .boolean()
    .optional()
    .describe(
      `With count: true when more than ${COUNT_CAP.toLocaleString('en')} contacts match (count is then ${COUNT_CAP.toLocaleString('en')}; ask again with exactCount for the exact number).`,
    ),
});

/**
 * What a bulk action applies to: listed ids, or the contacts matching a filter, a search and/or
 * a segment. A selection that narrows nothing (`{}`, an empty filter, a blank search) would act
 * on every contact of the organisation: that must be asked for with `all: true`, alone.
 */
export const Selection = z
  .union([
    z.object({ ids: z.array(z.uuid()).min(1).max(10_000) }).strict(),
    z
      .object({
        filter: FilterNode.optional(),
        search: z.string().max(200).optional(),
        segmentId: z.uuid().optional(),
        all: z
          .literal(true)
          .optional()
          .describe(
            'Act on every contact of the organisation. Required when no filter condition, search or segment narrows the selection; not allowed with one.',
          ),
      })
      .strict(),
  ])
  .superRefine((selection, ctx) => {
    if ('ids' in selection) return;
    const narrowed = !selectsEverything(selection);
    if (!narrowed && selection.all !== true) {
      ctx.addIssue({
        code: 'custom',
        message:
          'selects every contact: choose ids, a filter condition, a search or a segment, or send "all": true to act on all contacts',
      });
    } else if (narrowed && selection.all === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['all'],
        message: '"all": true selects every contact and cannot be combined with a filter, search or segment',
      });
    }
  });

export const BulkAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('add_tags'), tags: z.array(TagName).min(1).max(50) }),
  z.object({ type: z.literal('remove_tags'), tags: z.array(TagName).min(1).max(50) }),
  z.object({ type: z.literal('set_field'), field: z.string().min(1).max(80), value: z.unknown() }),
  z.object({ type: z.literal('set_owner'), ownerId: z.uuid().nullable() }),
  z.object({ type: z.literal('delete') }),
]);
export type BulkActionT = z.infer<typeof BulkAction>;
export type SelectionT = z.infer<typeof Selection>;
