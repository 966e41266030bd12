import { CONSENT_BASIS_LABELS, SUBSCRIPTION_STATUS_LABELS } from '@common/contacts';
import { Link } from '@tanstack/react-router';
import {
  Activity,
  BellOff,
  BellRing,
  CircleX,
  GitMerge,
  MailCheck,
  MailOpen,
  MailX,
  MessageSquareText,
  MousePointerClick,
  Pencil,
  Plus,
  Send,
  ShieldAlert,
  Tag,
  Trash2,
  Workflow,
  Zap,
} from 'lucide-react';
import type * as React from 'react';
import type { FieldDefinition } from '@/components/fields/types';
import { Markdown } from '@/components/markdown';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { type TimelineEvent, useTimeline } from '../api/get-timeline';
import { type MemberOption, useContactsEnv } from './contacts-env';

const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  emails: 'Other emails',
  phones: 'Phones',
  jobTitle: 'Job title',
  company: 'Company',
  companyId: 'Company',
  address: 'Address',
  owner: 'Owner',
  ownerId: 'Owner',
  source: 'Source',
  subscriptionStatus: 'Subscription',
  consent: 'Consent',
  restricted: 'Restricted processing',
  tags: 'Tags',
};

export function fieldLabel(field: string, fields: FieldDefinition[]): string {
  const custom = /^(?:custom|customFields)\.(.+)$/.exec(field);
  if (custom) return fields.find((f) => f.key === custom[1])?.label ?? custom[1]!;
  return (
    FIELD_LABELS[field] ?? field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase())
  );
}

/** A changed value as short text. Untrusted: the result is rendered as text. */
function valueText(field: string, value: unknown, members: MemberOption[]): string {
  if (value === null || value === undefined || value === '') return '';
  if ((field === 'ownerId' || field === 'owner') && typeof value === 'string') {
    return members.find((m) => m.userId === value)?.name ?? 'a former member';
  }
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (
    field === 'subscriptionStatus' &&
    typeof value === 'string' &&
    Object.hasOwn(SUBSCRIPTION_STATUS_LABELS, value)
  )
    return SUBSCRIPTION_STATUS_LABELS[value as keyof typeof SUBSCRIPTION_STATUS_LABELS];
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'object') {
    if (field === 'consent') {
      const c = value as { basis?: unknown; source?: unknown; at?: unknown };
      const basis =
        typeof c.basis === 'string' && Object.hasOwn(CONSENT_BASIS_LABELS, c.basis)
          ? CONSENT_BASIS_LABELS[c.basis as keyof typeof CONSENT_BASIS_LABELS]
          : null;
      return [basis, c.source, typeof c.at === 'string' ? formatDateTime(c.at) : null]
        .filter(Boolean)
        .join(', ');
    }
    if (field === 'address')
      return Object.values(value as Record<string, unknown>)
        .filter(Boolean)
        .map(String)
        .join(', ');
    if ('name' in (value as object)) return String((value as { name: unknown }).name);
    return JSON.stringify(value);
  }
  return String(value);
}

function Quote({ children }: { children: React.ReactNode }) {
  return <span className="font-medium text-foreground">“{children}”</span>;
}

function Change({
  change,
  fields,
  members,
}: {
  change: unknown;
  fields: FieldDefinition[];
  members: MemberOption[];
}) {
  const c = (change ?? {}) as { field?: unknown; before?: unknown; after?: unknown };
  const field = typeof c.field === 'string' ? c.field : 'a field';
  const label = fieldLabel(field, fields);
  const before = valueText(field, c.before, members);
  const after = valueText(field, c.after, members);
  if (!before && after) {
    return (
      <>
        set {label} to <Quote>{after}</Quote>
      </>
    );
  }
  if (before && !after) {
    return (
      <>
        cleared {label} (was <Quote>{before}</Quote>)
      </>
    );
  }
  return (
    <>
      changed {label} from <Quote>{before}</Quote> to <Quote>{after}</Quote>
    </>
  );
}

function list(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : '';
}

/** Why a change made elsewhere reached this contact ("tag “x” was deleted"). */
function causeText(cause: unknown): React.ReactNode {
  const c = (cause ?? null) as { type?: unknown; name?: unknown } | null;
  if (!c || typeof c.name !== 'string') return null;
  const name = <Quote>{c.name}</Quote>;
  switch (c.type) {
    case 'tag.deleted':
      return <> (the tag was deleted)</>;
    case 'tag.merged':
      return <> (tags merged into {name})</>;
    case 'company.renamed':
      return <> (the company was renamed {name})</>;
    case 'company.deleted':
      return <> (the company {name} was deleted)</>;
    case 'field.deleted':
      return <> (the field {name} was deleted)</>;
    default:
      return null;
  }
}

/** Where a change came from when it was not a single edit: an import row, a bulk action, a cascade. */
function origin(d: Record<string, unknown>, actor: TimelineEvent['actor']): React.ReactNode {
  if (typeof d.row === 'number' && actor.type === 'import') return <> (row {d.row})</>;
  if (typeof d.row === 'number' && typeof d.fileName === 'string')
    return (
      <>
        {' '}
        (row {d.row} of <Quote>{d.fileName}</Quote>)
      </>
    );
  // A workflow's step changes its contacts through the bulk path: the automation named is the origin.
  if (d.bulk === true && actor.type !== 'automation') return <> (bulk action)</>;
  return causeText(d.cause);
}

/** Email events: what happened to a message, in the contact's own words ("Opened “December news”"). */
const EMAIL_VERBS: Record<string, string> = {
  'email.sent': 'Email sent:',
  'email.failed': 'Email failed:',
  'email.delivered': 'Delivered:',
  'email.opened': 'Opened',
  'email.clicked': 'Clicked',
  'email.bounced': 'Bounced:',
  'email.complained': 'Marked as spam:',
  'email.unsubscribed': 'Unsubscribed from',
  'email.resubscribed': 'Subscribed again from',
};

function EmailEvent({ type, data: d }: { type: string; data: Record<string, unknown> }) {
  const title =
    typeof d.campaignName === 'string' && d.campaignName
      ? d.campaignName
      : typeof d.subject === 'string' && d.subject
        ? d.subject
        : '';
  const message = title ? <Quote>{title}</Quote> : 'an email';
  const machine = d.machine === true;
  const bounce = d.bounceType === 'hard' ? 'hard bounce' : d.bounceType === 'soft' ? 'soft bounce' : '';
  const reason = typeof d.reason === 'string' && d.reason ? d.reason : '';
  return (
    <>
      <span className="font-medium text-foreground" data-testid="email-event">
        {EMAIL_VERBS[type] ?? type.replace(/[._]/g, ' ')}
      </span>{' '}
      {type === 'email.clicked' && typeof d.url === 'string' ? (
        <>
          <span className="font-mono text-[0.8125rem] break-all text-foreground">{d.url}</span> in {message}
        </>
      ) : (
        message
      )}
      {bounce || reason ? ` (${[bounce, reason].filter(Boolean).join(': ')})` : ''}
      {machine ? (
        <span
          className="ml-1.5 inline-flex rounded-full border border-border bg-muted px-1.5 text-xs text-muted-foreground"
          title={
            type === 'email.opened'
              ? 'A mail privacy proxy (e.g. Apple Mail) loaded the images, not necessarily the person'
              : 'A security scanner followed the link, not necessarily the person'
          }
        >
          {type === 'email.opened' ? 'machine · privacy proxy' : 'machine · link scanner'}
        </span>
      ) : null}
    </>
  );
}

/** A link to the automation (or its run) the event came from; names are untrusted text. */
function AutomationLink({ d }: { d: Record<string, unknown> }) {
  const name = typeof d.automationName === 'string' && d.automationName ? d.automationName : 'an automation';
  const runId = typeof d.runId === 'string' ? d.runId : null;
  if (runId)
    return (
      <Link
        to="/automations/runs/$runId"
        params={{ runId }}
        className="font-medium text-foreground hover:underline"
      >
        “{name}”
      </Link>
    );
  return <Quote>{name}</Quote>;
}

const ENDINGS: Record<string, string> = {
  completed: 'completed',
  exit: 'exited',
  exited: 'exited',
  goal: 'reached its goal',
  failed: 'failed',
  canceled: 'canceled',
};

/** automation.enrolled / .step / .ended: what a workflow did with this contact (no actor named). */
function AutomationEvent({ type, data: d }: { type: string; data: Record<string, unknown> }) {
  const summary = typeof d.summary === 'string' && d.summary ? d.summary : null;
  const outcome = typeof d.outcome === 'string' && d.outcome ? d.outcome : null;
  if (type === 'automation.enrolled') {
    return (
      <>
        <span className="font-medium text-foreground">Enrolled</span> in automation <AutomationLink d={d} />
      </>
    );
  }
  if (type === 'automation.step') {
    return (
      <>
        {/* The summary already says how the step went ("Condition: no", "Webhook failed …"). */}
        <span className="font-medium text-foreground">{summary ?? 'A step ran'}</span> (automation{' '}
        <AutomationLink d={d} />)
      </>
    );
  }
  return (
    <>
      <span className="font-medium text-foreground">
        {outcome && ENDINGS[outcome] ? `Run ${ENDINGS[outcome]}` : 'Run ended'}
      </span>{' '}
      in automation <AutomationLink d={d} />
      {summary ? <> ({summary})</> : null}
    </>
  );
}

/** event.custom: an event sent through POST /api/v1/events, with its properties. */
function CustomEvent({ data: d }: { data: Record<string, unknown> }) {
  const name = typeof d.name === 'string' ? d.name : 'an event';
  const props =
    d.properties && typeof d.properties === 'object' && !Array.isArray(d.properties)
      ? Object.entries(d.properties as Record<string, unknown>).slice(0, 6)
      : [];
  return (
    <>
      sent event <span className="font-mono text-[0.8125rem] text-foreground">{name}</span>
      {props.length ? (
        <span className="block font-mono text-xs break-all">
          {props
            .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
            .join(' · ')}
        </span>
      ) : null}
    </>
  );
}

function describe(event: TimelineEvent, fields: FieldDefinition[], members: MemberOption[]): React.ReactNode {
  const d = event.data ?? {};
  const from = origin(d, event.actor);
  switch (event.type) {
    case 'contact.created':
      return (
        <>
          created this contact
          {typeof d.source === 'string' && d.source && d.source !== 'import' ? ` (source: ${d.source})` : ''}
          {Array.isArray(d.tags) && d.tags.length ? (
            <>
              {' '}
              with {d.tags.length > 1 ? 'tags' : 'tag'} <Quote>{list(d.tags)}</Quote>
            </>
          ) : null}
          {from}
        </>
      );
    case 'contact.updated': {
      const changes = Array.isArray(d.changes) ? d.changes : [];
      if (changes.length === 0) return <>updated this contact{from}</>;
      return (
        <>
          {changes.map((change, i) => (
            <span key={i}>
              {i > 0 ? (i === changes.length - 1 ? ' and ' : ', ') : null}
              <Change change={change} fields={fields} members={members} />
            </span>
          ))}
          {from}
        </>
      );
    }
    case 'tag.added':
      return (
        <>
          added {Array.isArray(d.tags) && d.tags.length > 1 ? 'tags' : 'tag'} <Quote>{list(d.tags)}</Quote>
          {from}
        </>
      );
    case 'tag.removed':
      return (
        <>
          removed {Array.isArray(d.tags) && d.tags.length > 1 ? 'tags' : 'tag'} <Quote>{list(d.tags)}</Quote>
          {from}
        </>
      );
    case 'note.added':
      return (
        <>
          added a note
          {typeof d.excerpt === 'string' && d.excerpt ? (
            <Markdown className="mt-1 rounded-md border border-border bg-muted/40 px-3 py-2 text-foreground">
              {d.excerpt}
            </Markdown>
          ) : null}
        </>
      );
    case 'contact.merged': {
      const m = (d.mergedContact ?? {}) as { name?: unknown; email?: unknown };
      const name = typeof m.name === 'string' ? m.name : '';
      const email = typeof m.email === 'string' ? m.email : '';
      const who = name && email ? `${name} <${email}>` : name || email;
      // What the merge changed on this contact (e.g. the stricter subscription state it kept).
      const changes = (Array.isArray(d.changes) ? d.changes : []).filter(
        (c) => (c as { field?: unknown }).field !== 'tags',
      );
      return (
        <>
          merged {who ? <Quote>{who}</Quote> : 'another contact'} into this contact
          {changes.map((change, i) => (
            <span key={i}>
              {i === 0 ? ': ' : i === changes.length - 1 ? ' and ' : ', '}
              <Change change={change} fields={fields} members={members} />
            </span>
          ))}
        </>
      );
    }
    case 'contact.deleted':
      return <>deleted this contact</>;
    case 'automation.enrolled':
    case 'automation.step':
    case 'automation.ended':
      return <AutomationEvent type={event.type} data={d} />;
    case 'event.custom':
      return <CustomEvent data={d} />;
    default:
      if (String(event.type).startsWith('email.')) return <EmailEvent type={event.type} data={d} />;
      return <>{String(event.type).replace(/[._]/g, ' ')}</>;
  }
}

const ICONS: Record<string, React.ComponentType<{ className?: string; 'aria-hidden'?: boolean | 'true' }>> = {
  'contact.created': Plus,
  'contact.updated': Pencil,
  'tag.added': Tag,
  'tag.removed': Tag,
  'note.added': MessageSquareText,
  'contact.merged': GitMerge,
  'contact.deleted': Trash2,
  'email.sent': Send,
  'email.failed': CircleX,
  'email.delivered': MailCheck,
  'email.opened': MailOpen,
  'email.clicked': MousePointerClick,
  'email.bounced': MailX,
  'email.complained': ShieldAlert,
  'email.unsubscribed': BellOff,
  'email.resubscribed': BellRing,
  'automation.enrolled': Workflow,
  'automation.step': Workflow,
  'automation.ended': Workflow,
  'event.custom': Zap,
};

/** Who did it, as the timeline names them: a member, an API key, an import, the system. */
export function actorName(actor: TimelineEvent['actor']): string {
  switch (actor.type) {
    case 'apiKey':
      return `API key “${actor.name || 'revoked'}”`;
    case 'import':
      return actor.name ? `Import of “${actor.name}”` : 'An import';
    case 'automation':
      return actor.name ? `Automation “${actor.name}”` : 'An automation';
    case 'system':
      return 'Moxora';
    default:
      return actor.name || 'A former member';
  }
}

/** The contact's history, newest first, in sentences ("Ann changed Job title from X to Y"). */
export function Timeline({ orgId, contactId }: { orgId: string; contactId: string }) {
  const env = useContactsEnv();
  const timeline = useTimeline(orgId, contactId);
  const events = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader className="pb-3">
        <CardTitle className="flex items-center gap-2">
          <Activity aria-hidden="true" className="size-4 text-muted-foreground" />
          Timeline
        </CardTitle>
      </CardHeader>
      <CardContent>
        {timeline.isPending ? (
          <div className="grid gap-3" role="status" aria-label="Loading timeline">
            <Skeleton className="h-4 w-3/4" />
            <Skeleton className="h-4 w-1/2" />
            <Skeleton className="h-4 w-2/3" />
          </div>
        ) : timeline.isError ? (
          <ErrorState
            title="Could not load the timeline"
            error={timeline.error}
            onRetry={() => void timeline.refetch()}
          />
        ) : events.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing has happened yet.</p>
        ) : (
          <ol
            aria-label="Timeline"
            className="relative grid gap-4 before:absolute before:top-2 before:bottom-2 before:left-[0.6875rem] before:w-px before:bg-border"
          >
            {events.map((event) => {
              const Icon = ICONS[event.type] ?? Activity;
              return (
                <li key={event.id} className="relative flex gap-3" data-testid="timeline-event">
                  <span className="relative z-[1] mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full border border-border bg-background">
                    <Icon aria-hidden="true" className="size-3 text-muted-foreground" />
                  </span>
                  <div className="min-w-0 flex-1 text-sm leading-6 break-words text-muted-foreground">
                    {/* Email events are what the contact (or their mail system) did, automation events say
                        which workflow: no actor named. */}
                    {String(event.type).startsWith('email.') ||
                    String(event.type).startsWith('automation.') ? null : (
                      <>
                        <span className="font-medium text-foreground">{actorName(event.actor)}</span>{' '}
                      </>
                    )}
                    {describe(event, env.fields, env.members)}
                    <time
                      className="block text-xs text-muted-foreground"
                      dateTime={event.createdAt}
                      title={formatDateTime(event.createdAt)}
                    >
                      {formatRelative(event.createdAt)}
                    </time>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
        {timeline.hasNextPage ? (
          <Button
            variant="ghost"
            size="sm"
            className="mt-4 w-full"
            onClick={() => void timeline.fetchNextPage()}
            loading={timeline.isFetchingNextPage}
          >
            Show older activity
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}
