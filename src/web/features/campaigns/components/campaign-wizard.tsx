import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeft, ArrowRight, Check, Send, Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Checkbox } from '@/components/ui/checkbox';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { PageHeader } from '@/components/ui/page-header';
import { RadioCards } from '@/components/ui/radio-group';
import { Skeleton } from '@/components/ui/skeleton';
import { Spinner } from '@/components/ui/spinner';
import { TagChip } from '@/components/ui/tag-chip';
import { errorMessage } from '@/lib/api';
import { useCan, useDisabledReason } from '@/lib/session';
import { cn, formatNumber, plural } from '@/lib/utils';
import { useSendCampaign } from '../api/campaign-actions';
import { audienceOf, type Campaign, type CampaignAudience } from '../api/get-campaign';
import { useCampaignReview } from '../api/review-campaign';
import { useCreateCampaign, useDeleteCampaign, useUpdateCampaign } from '../api/save-campaign';
import {
  useSegmentOptions,
  useSenderOptions,
  useSendingSettings,
  useTagOptions,
  useTemplateOptions,
  useTemplateRender,
} from '../api/wizard-options';
import { EXCLUSION_LABELS, excludedTotal, MISSING_LABELS, SENDING_MISSING_LABELS } from './labels';

export const WIZARD_STEPS = ['audience', 'template', 'sender', 'schedule', 'review'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

const STEP_LABELS: Record<WizardStep, string> = {
  audience: 'Audience',
  template: 'Template',
  sender: 'Sender',
  schedule: 'Schedule',
  review: 'Review',
};

export function isWizardStep(value: unknown): value is WizardStep {
  return typeof value === 'string' && (WIZARD_STEPS as readonly string[]).includes(value);
}

interface Schedule {
  mode: 'now' | 'later';
  date: string;
  time: string;
}

/**
 * The campaign wizard: Audience → Template → Sender → Schedule → Review. Without a campaign (the
 * /campaigns/new page) the first choice creates the draft; every later choice is saved at once
 * (PATCH), so leaving the page loses nothing.
 */
export function CampaignWizard({
  orgId,
  campaign,
  step,
  onStepChange,
}: {
  orgId: string;
  campaign: Campaign | undefined;
  step: WizardStep;
  onStepChange: (step: WizardStep) => void;
}) {
  const navigate = useNavigate();
  const canWrite = useCan('campaigns:write');
  const create = useCreateCampaign(orgId);
  const update = useUpdateCampaign(orgId);
  const [name, setName] = React.useState(campaign?.name ?? '');
  const [schedule, setSchedule] = React.useState<Schedule>({ mode: 'now', date: '', time: '' });
  const remove = useDeleteCampaign(orgId);
  const [deleting, setDeleting] = React.useState(false);
  const saving = create.isPending || update.isPending;

  /** Saves a change: PATCH the draft, or create it (then continue at its own address). */
  // Changes are saved one after the other, so the last choice is the one the draft keeps.
  const queue = React.useRef<Promise<unknown>>(Promise.resolve());
  const latest = React.useRef<typeof saveNow>(null!);
  const save = (patch: Parameters<typeof saveNow>[0], next?: WizardStep): Promise<boolean> => {
    // Each save runs with the state of its own time (the draft as the previous save left it).
    const run = queue.current.then(() => latest.current(patch, next));
    queue.current = run;
    return run;
  };
  const saveNow = async (
    patch: {
      name?: string;
      templateId?: string | null;
      senderId?: string | null;
      audience?: CampaignAudience;
    },
    next?: WizardStep,
  ): Promise<boolean> => {
    try {
      if (campaign) {
        await update.mutateAsync({ id: campaign.id, ...patch });
        if (next) onStepChange(next);
      } else {
        const created = await create.mutateAsync({
          name: patch.name ?? (name.trim() || 'Untitled campaign'),
          ...patch,
        });
        void navigate({
          to: '/campaigns/$id',
          params: { id: created.id },
          search: { step: next ?? step },
          replace: true,
        });
      }
      return true;
    } catch (error) {
      toast.error(errorMessage(error));
      return false;
    }
  };
  latest.current = saveNow;

  const reachable = (s: WizardStep) => s === 'audience' || Boolean(campaign);
  const index = WIZARD_STEPS.indexOf(step);
  const go = async (s: WizardStep) => {
    // The name is saved when leaving a step (it is typed, not picked).
    const trimmed = name.trim();
    if (campaign && trimmed && trimmed !== campaign.name) {
      if (!(await save({ name: trimmed }))) return;
    }
    if (!campaign) {
      await save({ name: trimmed || 'Untitled campaign' }, s);
      return;
    }
    onStepChange(s);
  };

  return (
    <div className="grid gap-6">
      <PageHeader
        title={campaign ? campaign.name : 'New campaign'}
        description={
          <span className="inline-flex items-center gap-2">
            Draft{saving ? <Spinner label="Saving" /> : campaign ? ' · saved' : ''}
          </span>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <Button variant="ghost" asChild>
              <Link to="/campaigns">
                <ArrowLeft aria-hidden="true" />
                All campaigns
              </Link>
            </Button>
            {campaign && canWrite ? (
              <Button variant="destructive-ghost" onClick={() => setDeleting(true)}>
                <Trash2 aria-hidden="true" />
                Delete draft
              </Button>
            ) : null}
          </div>
        }
      />
      <nav aria-label="Campaign steps">
        <ol className="flex flex-wrap gap-2">
          {WIZARD_STEPS.map((s, i) => {
            const current = s === step;
            const done = i < index;
            return (
              <li key={s}>
                <button
                  type="button"
                  onClick={() => void go(s)}
                  disabled={!reachable(s) || saving}
                  aria-current={current ? 'step' : undefined}
                  className={cn(
                    'inline-flex items-center gap-2 rounded-full border px-3 py-1 text-sm transition-colors outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-not-allowed disabled:opacity-50',
                    current
                      ? 'border-accent bg-accent-subtle font-medium text-accent-subtle-foreground'
                      : 'border-border bg-background hover:bg-muted',
                  )}
                >
                  <span
                    className={cn(
                      'flex size-5 items-center justify-center rounded-full text-xs',
                      done ? 'bg-accent text-accent-foreground' : 'bg-muted text-muted-foreground',
                    )}
                  >
                    {done ? <Check aria-hidden="true" className="size-3" /> : i + 1}
                  </span>
                  {STEP_LABELS[s]}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      {!canWrite ? <Alert variant="info">Your role can see this draft but not change it.</Alert> : null}

      {step === 'audience' ? (
        <AudienceStep
          orgId={orgId}
          campaign={campaign}
          name={name}
          onNameChange={setName}
          onNameBlur={() => {
            const trimmed = name.trim();
            if (campaign && trimmed && trimmed !== campaign.name) void save({ name: trimmed });
          }}
          // Until the draft exists, one change at a time: the first one creates it.
          disabled={!canWrite || (!campaign && saving)}
          onChange={(audience) => void save({ audience })}
        />
      ) : step === 'template' && campaign ? (
        <TemplateStep
          orgId={orgId}
          campaign={campaign}
          disabled={!canWrite}
          onChange={(templateId) => void save({ templateId })}
        />
      ) : step === 'sender' && campaign ? (
        <SenderStep
          orgId={orgId}
          campaign={campaign}
          disabled={!canWrite}
          onChange={(senderId) => void save({ senderId })}
        />
      ) : step === 'schedule' && campaign ? (
        <ScheduleStep orgId={orgId} schedule={schedule} onChange={setSchedule} />
      ) : step === 'review' && campaign ? (
        <ReviewStep orgId={orgId} campaign={campaign} schedule={schedule} onEdit={(s) => void go(s)} />
      ) : null}

      <div className="flex items-center justify-between gap-3">
        {index > 0 ? (
          <Button variant="secondary" onClick={() => void go(WIZARD_STEPS[index - 1]!)} disabled={saving}>
            <ArrowLeft aria-hidden="true" />
            Back
          </Button>
        ) : (
          <span />
        )}
        {index < WIZARD_STEPS.length - 1 ? (
          <Button
            onClick={() => void go(WIZARD_STEPS[index + 1]!)}
            loading={saving}
            disabled={!canWrite && !campaign}
          >
            Continue to {STEP_LABELS[WIZARD_STEPS[index + 1]!].toLowerCase()}
            <ArrowRight aria-hidden="true" />
          </Button>
        ) : null}
      </div>
      {campaign ? (
        <ConfirmDialog
          open={deleting}
          onOpenChange={setDeleting}
          title="Delete this draft?"
          description={`“${campaign.name}” was never sent. Deleting it cannot be undone.`}
          confirmLabel="Delete draft"
          pending={remove.isPending}
          onConfirm={() =>
            remove.mutate(
              { id: campaign.id },
              {
                onSuccess: () => {
                  toast.success(`“${campaign.name}” deleted`);
                  void navigate({ to: '/campaigns' });
                },
                onError: (error) => {
                  setDeleting(false);
                  toast.error(errorMessage(error));
                },
              },
            )
          }
        />
      ) : null}
    </div>
  );
}

/** Pick one from a list: native radios, each option a row. */
function ChoiceList<T extends { id: string }>({
  legend,
  items,
  value,
  onChange,
  render,
  disabled,
}: {
  legend: string;
  items: T[];
  value: string | null;
  onChange: (id: string) => void;
  render: (item: T) => React.ReactNode;
  disabled?: boolean;
}) {
  const name = React.useId();
  return (
    <fieldset className="grid gap-2" disabled={disabled}>
      <legend className="sr-only">{legend}</legend>
      {items.map((item) => {
        const checked = item.id === value;
        return (
          <label
            key={item.id}
            className={cn(
              'flex cursor-pointer items-start gap-3 rounded-md border border-border bg-background p-3 transition-colors hover:bg-subtle',
              'has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring has-[:disabled]:cursor-not-allowed',
              checked && 'border-accent bg-accent-subtle/60 hover:bg-accent-subtle/60',
            )}
          >
            <input
              type="radio"
              name={name}
              value={item.id}
              checked={checked}
              onChange={() => onChange(item.id)}
              className="mt-0.5 size-4 shrink-0 accent-(--color-accent) outline-none"
            />
            <span className="grid min-w-0 gap-0.5 text-sm">{render(item)}</span>
          </label>
        );
      })}
    </fieldset>
  );
}

/** "N contacts will receive it" for the saved audience, refreshed after every change. */
function AudienceCount({ orgId, campaign }: { orgId: string; campaign: Campaign | undefined }) {
  const review = useCampaignReview(orgId, campaign?.id);
  const audience = campaign ? audienceOf(campaign) : { segmentIds: [], tagIds: [] };
  const empty = !audience.segmentIds?.length && !audience.tagIds?.length && audience.filter === undefined;
  if (!campaign || empty) {
    return (
      <p className="text-sm text-muted-foreground">Pick segments or tags to see how many contacts get it.</p>
    );
  }
  if (!review.data) return <Skeleton className="h-5 w-48" />;
  const excluded = excludedTotal(review.data.excluded);
  return (
    <p className="flex items-center gap-2 text-sm" data-testid="audience-count" aria-live="polite">
      <span className="font-semibold">{plural(review.data.recipients, 'contact')}</span>
      <span className="text-muted-foreground">
        will receive it
        {excluded > 0 ? ` (${formatNumber(excluded)} of ${formatNumber(review.data.total)} excluded)` : ''}
      </span>
      {review.isFetching ? <Spinner label="Counting" /> : null}
    </p>
  );
}

function AudienceStep({
  orgId,
  campaign,
  name,
  onNameChange,
  onNameBlur,
  onChange,
  disabled,
}: {
  orgId: string;
  campaign: Campaign | undefined;
  name: string;
  onNameChange: (name: string) => void;
  onNameBlur: () => void;
  onChange: (audience: CampaignAudience) => void;
  disabled: boolean;
}) {
  const segments = useSegmentOptions(orgId);
  const tags = useTagOptions(orgId);
  const saved = campaign ? audienceOf(campaign) : { segmentIds: [], tagIds: [] };
  const [audience, setAudience] = React.useState<CampaignAudience>(saved);
  const toggle = (key: 'segmentIds' | 'tagIds', id: string, on: boolean) => {
    const list = new Set(audience[key] ?? []);
    if (on) list.add(id);
    else list.delete(id);
    const next = { ...audience, [key]: [...list] };
    setAudience(next);
    onChange(next);
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Who gets it</CardTitle>
        <CardDescription>
          Everyone in any of the segments or tags you pick, once. Contacts who are not subscribed,
          unsubscribed, bounced or suppressed are left out.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        <FormField id="campaign-name" label="Campaign name" hint="Only your team sees it.">
          <Input
            value={name}
            onChange={(e) => onNameChange(e.target.value)}
            onBlur={onNameBlur}
            placeholder="December newsletter"
            maxLength={200}
            disabled={disabled}
          />
        </FormField>
        <div className="grid gap-6 md:grid-cols-2">
          <fieldset className="grid content-start gap-2" disabled={disabled}>
            <legend className="mb-2 text-sm font-medium">Segments</legend>
            {segments.isPending ? (
              <Skeleton className="h-5 w-40" />
            ) : (segments.data ?? []).length === 0 ? (
              <p className="text-sm text-muted-foreground">
                No segments yet. Filter your{' '}
                <Link to="/contacts" className="underline">
                  contacts
                </Link>{' '}
                and save the filter as a segment.
              </p>
            ) : (
              (segments.data ?? []).map((s) => (
                <div key={s.id} className="flex items-center gap-2 text-sm">
                  <Checkbox
                    id={`audience-segment-${s.id}`}
                    checked={audience.segmentIds?.includes(s.id) ?? false}
                    onCheckedChange={(on) => toggle('segmentIds', s.id, on === true)}
                    disabled={disabled}
                  />
                  <Label htmlFor={`audience-segment-${s.id}`} className="cursor-pointer font-normal">
                    {s.name}
                  </Label>
                </div>
              ))
            )}
          </fieldset>
          <fieldset className="grid content-start gap-2" disabled={disabled}>
            <legend className="mb-2 text-sm font-medium">Tags</legend>
            {tags.isPending ? (
              <Skeleton className="h-5 w-40" />
            ) : (tags.data ?? []).length === 0 ? (
              <p className="text-sm text-muted-foreground">No tags yet.</p>
            ) : (
              (tags.data ?? []).map((t) => (
                <div key={t.id} className="flex items-center gap-2 text-sm">
                  <Checkbox
                    id={`audience-tag-${t.id}`}
                    checked={audience.tagIds?.includes(t.id) ?? false}
                    onCheckedChange={(on) => toggle('tagIds', t.id, on === true)}
                    disabled={disabled}
                  />
                  <Label htmlFor={`audience-tag-${t.id}`} className="cursor-pointer">
                    <TagChip name={t.name} color={t.color ?? undefined} />
                  </Label>
                </div>
              ))
            )}
          </fieldset>
        </div>
        <AudienceCount orgId={orgId} campaign={campaign} />
      </CardContent>
    </Card>
  );
}

function TemplateStep({
  orgId,
  campaign,
  onChange,
  disabled,
}: {
  orgId: string;
  campaign: Campaign;
  onChange: (templateId: string) => void;
  disabled: boolean;
}) {
  const templates = useTemplateOptions(orgId);
  const [selected, setSelected] = React.useState(campaign.templateId);
  const render = useTemplateRender(orgId, selected);
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <Card>
        <CardHeader>
          <CardTitle>Template</CardTitle>
          <CardDescription>
            The content of the email. Merge fields are filled in for each contact.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {templates.isPending ? (
            <Skeleton className="h-16" />
          ) : (templates.data ?? []).length === 0 ? (
            <p className="text-sm text-muted-foreground">
              No templates yet.{' '}
              <Link to="/templates/new" className="font-medium text-foreground underline">
                Create a template
              </Link>
              , then come back: this draft is saved.
            </p>
          ) : (
            <ChoiceList
              legend="Template"
              items={templates.data ?? []}
              value={selected}
              disabled={disabled}
              onChange={(id) => {
                setSelected(id);
                onChange(id);
              }}
              render={(t) => (
                <>
                  <span className="font-medium">{t.name}</span>
                  <span className="truncate text-muted-foreground">{t.subject}</span>
                </>
              )}
            />
          )}
        </CardContent>
      </Card>
      <section aria-label="Preview" className="grid content-start gap-2">
        <h2 className="text-sm font-semibold">Preview (sample data)</h2>
        <div className="overflow-hidden rounded-lg border border-border bg-muted/40">
          {!selected ? (
            <p className="p-4 text-sm text-muted-foreground">Pick a template to see it here.</p>
          ) : render.isError ? (
            <p className="p-4 text-sm text-destructive" role="alert">
              {errorMessage(render.error)}
            </p>
          ) : !render.data ? (
            <div className="grid gap-3 p-4" role="status" aria-label="Loading preview">
              <Skeleton className="h-5 w-2/3" />
              <Skeleton className="h-64 w-full" />
            </div>
          ) : (
            <>
              <div className="border-b border-border bg-background px-4 py-2 text-sm">
                <span className="text-muted-foreground">Subject: </span>
                <span className="font-medium">{render.data.subject}</span>
              </div>
              <div className="p-3">
                <iframe
                  title="Email preview"
                  sandbox=""
                  srcDoc={render.data.html}
                  className="h-[32rem] w-full rounded-md border border-border bg-white"
                />
              </div>
            </>
          )}
        </div>
      </section>
    </div>
  );
}

/** What Settings → Sending still needs, with a link there. */
function SendingNotReady({ missing }: { missing: string[] }) {
  return (
    <Alert variant="warning" title="Sending is not set up yet">
      Add {missing.map((m) => SENDING_MISSING_LABELS[m] ?? m).join(' and ')} in{' '}
      <Link to="/settings/sending">Settings → Sending</Link>. This draft is saved meanwhile.
    </Alert>
  );
}

function SenderStep({
  orgId,
  campaign,
  onChange,
  disabled,
}: {
  orgId: string;
  campaign: Campaign;
  onChange: (senderId: string) => void;
  disabled: boolean;
}) {
  const senders = useSenderOptions(orgId);
  const sending = useSendingSettings(orgId);
  const [selected, setSelected] = React.useState(campaign.senderId);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sender</CardTitle>
        <CardDescription>Who the email comes from, and where replies go.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {sending.data && !sending.data.ready ? <SendingNotReady missing={sending.data.missing} /> : null}
        {senders.isPending ? (
          <Skeleton className="h-16" />
        ) : (senders.data ?? []).length === 0 ? (
          <p className="text-sm text-muted-foreground">
            No senders yet. Add one in{' '}
            <Link to="/settings/sending" className="font-medium text-foreground underline">
              Settings → Sending
            </Link>
            .
          </p>
        ) : (
          <ChoiceList
            legend="Sender"
            items={senders.data ?? []}
            value={selected}
            disabled={disabled}
            onChange={(id) => {
              setSelected(id);
              onChange(id);
            }}
            render={(s) => (
              <>
                <span className="flex items-center gap-2 font-medium">
                  {s.name} {s.isDefault ? <Badge variant="accent">Default</Badge> : null}
                </span>
                <span className="text-muted-foreground">
                  {s.email}
                  {s.replyTo ? ` · replies to ${s.replyTo}` : ''}
                </span>
              </>
            )}
          />
        )}
      </CardContent>
    </Card>
  );
}

function ScheduleStep({
  orgId,
  schedule,
  onChange,
}: {
  orgId: string;
  schedule: Schedule;
  onChange: (s: Schedule) => void;
}) {
  const sending = useSendingSettings(orgId);
  const zone = sending.data?.timeZone ?? 'UTC';
  return (
    <Card>
      <CardHeader>
        <CardTitle>When</CardTitle>
        <CardDescription>Nothing is sent until you confirm on the review step.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <RadioCards
          legend="Send"
          name="campaign-when"
          value={schedule.mode}
          onValueChange={(mode) => onChange({ ...schedule, mode })}
          options={[
            { value: 'now', label: 'Send now', description: 'Sending starts as soon as you confirm.' },
            {
              value: 'later',
              label: 'Send at a date and time',
              description: `In the organisation’s time zone (${zone}), set in Settings → Sending.`,
            },
          ]}
        />
        {schedule.mode === 'later' ? (
          <div className="flex flex-wrap items-start gap-4">
            <FormField id="campaign-date" label="Date">
              <Input
                type="date"
                value={schedule.date}
                onChange={(e) => onChange({ ...schedule, date: e.target.value })}
                className="w-44"
              />
            </FormField>
            <FormField id="campaign-time" label={`Time (${zone})`}>
              <Input
                type="time"
                value={schedule.time}
                onChange={(e) => onChange({ ...schedule, time: e.target.value })}
                className="w-36"
              />
            </FormField>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

function ReviewStep({
  orgId,
  campaign,
  schedule,
  onEdit,
}: {
  orgId: string;
  campaign: Campaign;
  schedule: Schedule;
  onEdit: (step: WizardStep) => void;
}) {
  const navigate = useNavigate();
  const review = useCampaignReview(orgId, campaign.id);
  const templates = useTemplateOptions(orgId);
  const senders = useSenderOptions(orgId);
  const segments = useSegmentOptions(orgId);
  const tags = useTagOptions(orgId);
  const sending = useSendingSettings(orgId);
  const send = useSendCampaign(orgId);
  const canSend = useCan('campaigns:send');
  const cannot = useDisabledReason('campaigns:send', 'send campaigns');
  const [confirming, setConfirming] = React.useState(false);

  const template = templates.data?.find((t) => t.id === campaign.templateId);
  const sender = senders.data?.find((s) => s.id === campaign.senderId);
  const audience = audienceOf(campaign);
  const audienceNames = [
    ...(audience.segmentIds ?? []).map(
      (id) => `segment “${segments.data?.find((s) => s.id === id)?.name ?? 'deleted'}”`,
    ),
    ...(audience.tagIds ?? []).map((id) => `tag “${tags.data?.find((t) => t.id === id)?.name ?? 'deleted'}”`),
  ];
  const zone = sending.data?.timeZone ?? 'UTC';
  const later = schedule.mode === 'later';
  const laterValid =
    !later || (/^\d{4}-\d{2}-\d{2}$/.test(schedule.date) && /^\d{2}:\d{2}$/.test(schedule.time));
  const r = review.data;
  const excludedReasons = Object.entries(r?.excluded ?? {}).filter(([, n]) => n > 0);
  const excluded = excludedReasons.reduce((s, [, n]) => s + n, 0);
  const blocked = !r?.ready || !laterValid || !canSend;
  const action = later ? 'Schedule' : 'Send now';

  const confirm = () =>
    send.mutate(
      { id: campaign.id, ...(later ? { at: `${schedule.date}T${schedule.time}` } : {}) },
      {
        onSuccess: (c) => {
          setConfirming(false);
          toast.success(later ? `“${c.name}” is scheduled` : `“${c.name}” is sending`);
          void navigate({ to: '/campaigns/$id', params: { id: c.id }, search: {}, replace: true });
        },
        onError: (error) => {
          setConfirming(false);
          toast.error(errorMessage(error));
        },
      },
    );

  const row = (label: string, value: React.ReactNode, edit: WizardStep) => (
    <div className="grid grid-cols-[8rem_1fr_auto] items-baseline gap-3 border-b border-border py-2.5 last:border-b-0">
      <dt className="text-sm text-muted-foreground">{label}</dt>
      <dd className="min-w-0 text-sm break-words">{value}</dd>
      <Button
        variant="link"
        size="sm"
        onClick={() => onEdit(edit)}
        aria-label={`Change ${label.toLowerCase()}`}
      >
        Change
      </Button>
    </div>
  );

  return (
    <Card>
      <CardHeader>
        <CardTitle>Review</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-5">
        {!r ? (
          <Skeleton className="h-6 w-2/3" />
        ) : (
          <div className="rounded-md border border-border bg-subtle px-4 py-3" data-testid="review-summary">
            <p className="text-base">
              <span className="font-semibold">{formatNumber(r.recipients)}</span>{' '}
              {r.recipients === 1 ? 'contact' : 'contacts'} will receive it
              {excluded > 0 ? (
                <>
                  ; <span className="font-semibold">{formatNumber(excluded)}</span> excluded:{' '}
                  {excludedReasons
                    .map(([reason, n]) => `${EXCLUSION_LABELS[reason] ?? reason} ${formatNumber(n)}`)
                    .join(', ')}
                </>
              ) : null}
              .
            </p>
          </div>
        )}
        <dl>
          {row('Audience', audienceNames.length ? audienceNames.join(', ') : 'Nobody picked yet', 'audience')}
          {row(
            'Subject',
            template ? template.subject : <span className="text-muted-foreground">No template chosen</span>,
            'template',
          )}
          {row('Template', template?.name ?? '—', 'template')}
          {row(
            'From',
            sender ? (
              `${sender.name} <${sender.email}>`
            ) : (
              <span className="text-muted-foreground">No sender chosen</span>
            ),
            'sender',
          )}
          {row(
            'When',
            later ? (
              laterValid ? (
                `${schedule.date} at ${schedule.time} (${zone})`
              ) : (
                <span className="text-destructive">Pick a date and a time</span>
              )
            ) : (
              'Now, as soon as you confirm'
            ),
            'schedule',
          )}
        </dl>
        {r && r.missing.length > 0 ? (
          <Alert variant="warning" title="Before sending">
            <ul className="list-disc pl-4">
              {r.missing.map((m) => (
                <li key={m}>
                  {m === 'postalAddress' ? (
                    <>
                      Add your postal address in <Link to="/settings/sending">Settings → Sending</Link> (it
                      goes in every marketing footer)
                    </>
                  ) : (
                    (MISSING_LABELS[m] ?? m)
                  )}
                </li>
              ))}
            </ul>
          </Alert>
        ) : null}
        <div className="flex justify-end">
          <DisabledHint reason={cannot} align="end">
            <Button onClick={() => setConfirming(true)} disabled={blocked}>
              <Send aria-hidden="true" />
              {action}
            </Button>
          </DisabledHint>
        </div>
      </CardContent>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={later ? 'Schedule this campaign?' : 'Send this campaign now?'}
        description={
          <>
            “{campaign.name}” goes to {plural(r?.recipients ?? 0, 'contact')}
            {later ? ` on ${schedule.date} at ${schedule.time} (${zone})` : ' now'}. Once sending starts, it
            can be paused or canceled but not changed.
          </>
        }
        confirmLabel={later ? 'Schedule' : 'Send'}
        onConfirm={confirm}
        pending={send.isPending}
        destructive={false}
      />
    </Card>
  );
}
