import { FlaskConical, X } from 'lucide-react';
import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Combobox } from '@/components/ui/combobox';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Textarea } from '@/components/ui/textarea';
import { errorMessage } from '@/lib/api';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useContactSearch } from '../api/builder-options';
import { useDryRun } from '../api/dry-run';
import type { DryRun } from '../api/types';
import { NODE_TYPE_INFO } from '../lib/node-types';

const END_TEXT: Record<DryRun['end'], string> = {
  completed: 'The run would complete.',
  exit: 'The run would exit.',
  goal: 'The goal would be reached and the run would end.',
  not_enrolled: 'This contact would not be enrolled.',
};

function contactLabel(c: {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}): string {
  const name = `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim();
  return name || c.email || 'Unnamed contact';
}

/**
 * "Dry run": pick a contact, see the path the saved workflow would take for them (conditions
 * evaluated for real, nothing sent or changed). The path is highlighted on the canvas.
 */
export function DryRunPanel({
  orgId,
  automationId,
  dirty,
  result,
  onResult,
  onClose,
  defaultEventType,
}: {
  /** The trigger's event type, suggested as the placeholder (email.clicked, event.custom …). */
  defaultEventType?: string;
  orgId: string;
  automationId: string;
  dirty: boolean;
  result: DryRun | null;
  onResult: (r: DryRun | null) => void;
  onClose: () => void;
}) {
  const [text, setText] = React.useState('');
  const [contact, setContact] = React.useState<{ id: string; label: string } | null>(null);
  const [eventType, setEventType] = React.useState('');
  const [eventData, setEventData] = React.useState('');
  const eventError = React.useMemo(() => {
    if (!eventData.trim()) return undefined;
    try {
      const v: unknown = JSON.parse(eventData);
      return v && typeof v === 'object' && !Array.isArray(v) ? undefined : 'Write a JSON object';
    } catch {
      return 'Write a JSON object, e.g. {"url": "https://…"}';
    }
  }, [eventData]);
  const search = useDebouncedValue(text.trim(), 250);
  const contacts = useContactSearch(orgId, search, search.length > 0 && !contact);
  const dryRun = useDryRun();

  const run = () => {
    if (!contact) return;
    if (eventError) return;
    const event = eventType.trim()
      ? {
          type: eventType.trim(),
          data: eventData.trim() ? (JSON.parse(eventData) as Record<string, unknown>) : {},
        }
      : undefined;
    dryRun.mutate(
      { id: automationId, contactId: contact.id, ...(event ? { event } : {}) },
      { onSuccess: (r) => onResult(r), onError: () => onResult(null) },
    );
  };

  return (
    <section aria-label="Dry run" className="grid gap-4" data-testid="dry-run-panel">
      <div className="flex items-center gap-2">
        <FlaskConical aria-hidden="true" className="size-4 text-muted-foreground" />
        <h2 className="text-sm font-semibold">Dry run</h2>
        <Button variant="ghost" size="icon" className="ml-auto" aria-label="Close dry run" onClick={onClose}>
          <X aria-hidden="true" />
        </Button>
      </div>
      <p className="text-[0.8125rem] text-muted-foreground">
        The path a contact would take through the saved workflow, with conditions checked against their data.
        Nothing is sent or changed.
      </p>
      {dirty ? (
        <Alert variant="warning">Unsaved changes are not part of the dry run. Save first to try them.</Alert>
      ) : null}
      <div className="grid gap-2">
        <Label htmlFor="dry-run-contact">Contact</Label>
        <Combobox
          id="dry-run-contact"
          placeholder="Search by name or email…"
          inputValue={contact ? contact.label : text}
          onInputChange={(v) => {
            setContact(null);
            setText(v);
            onResult(null);
          }}
          loading={contacts.isFetching}
          options={(contact ? [] : (contacts.data ?? [])).map((c) => ({
            value: c.id,
            label: contactLabel(c),
            description: c.email ?? undefined,
          }))}
          onSelect={(o) => {
            setContact({ id: o.value, label: o.label });
            setText(o.label);
          }}
          emptyText={search ? 'No contact matches' : 'Type to search'}
        />
      </div>
      <details className="group grid gap-2 text-sm">
        <summary className="cursor-pointer text-[0.8125rem] font-medium text-muted-foreground hover:text-foreground">
          With an event (optional)
        </summary>
        <div className="mt-2 grid gap-3">
          <p className="text-[0.8125rem] text-muted-foreground">
            The trigger event for conditions on event data, or the event a “wait for event” step waits for
            (without one it follows the timeout).
          </p>
          <div className="grid gap-2">
            <Label htmlFor="dry-run-event-type">Event type</Label>
            <Input
              id="dry-run-event-type"
              value={eventType}
              placeholder={
                defaultEventType ? `e.g. ${defaultEventType}` : 'email.clicked, event.custom, tag.added …'
              }
              onChange={(e) => setEventType(e.target.value)}
            />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="dry-run-event-data">Event data (JSON)</Label>
            <Textarea
              id="dry-run-event-data"
              rows={3}
              className="font-mono text-xs"
              value={eventData}
              aria-invalid={eventError ? true : undefined}
              placeholder='{"name": "trial.started", "properties": {"plan": "pro"}}'
              onChange={(e) => setEventData(e.target.value)}
            />
            {eventError ? <p className="text-[0.8125rem] text-destructive">{eventError}</p> : null}
          </div>
        </div>
      </details>
      <Button onClick={run} disabled={!contact || Boolean(eventError)} loading={dryRun.isPending}>
        Run dry run
      </Button>
      {dryRun.isError ? <Alert variant="error">{errorMessage(dryRun.error)}</Alert> : null}
      {result ? (
        <div className="grid gap-3" data-testid="dry-run-result">
          <ol className="grid gap-2" aria-label="Dry run path">
            {result.steps.map((s, i) => {
              const Icon = NODE_TYPE_INFO[s.type]?.icon;
              return (
                <li
                  key={`${s.nodeId}-${i}`}
                  className="flex gap-2.5 rounded-md border border-border p-2.5 text-sm"
                  data-testid="dry-run-step"
                >
                  <span className="flex size-5 shrink-0 items-center justify-center rounded-full bg-emerald-600 text-[0.6875rem] font-semibold text-white">
                    {i + 1}
                  </span>
                  <div className="grid min-w-0 gap-0.5">
                    <span className="flex items-center gap-1.5 font-medium">
                      {Icon ? <Icon aria-hidden="true" className="size-3.5 text-muted-foreground" /> : null}
                      <span className="break-words">{s.summary}</span>
                    </span>
                    {s.outcome ? (
                      <span className="text-xs text-muted-foreground">
                        Goes on: <Badge variant="outline">{s.outcome}</Badge>
                      </span>
                    ) : null}
                    {s.note ? <span className="text-xs text-muted-foreground">{s.note}</span> : null}
                  </div>
                </li>
              );
            })}
          </ol>
          <Alert variant={result.end === 'not_enrolled' ? 'warning' : 'success'} data-testid="dry-run-end">
            {END_TEXT[result.end] ?? result.end}
            {result.reason ? ` ${result.reason}` : ''}
          </Alert>
        </div>
      ) : null}
    </section>
  );
}
