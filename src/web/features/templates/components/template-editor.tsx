import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeft, Send, Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Tabs } from '@/components/ui/tabs';
import { Textarea } from '@/components/ui/textarea';
import { errorMessage, isApiError } from '@/lib/api';
import { useCan, useDisabledReason } from '@/lib/session';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useDocumentTitle } from '@/lib/use-document-title';
import { useCreateTemplate } from '../api/create-template';
import { useDeleteTemplate } from '../api/delete-template';
import type { Template } from '../api/get-template';
import { usePreview } from '../api/preview-template';
import { useSendTest } from '../api/send-test';
import { useUpdateTemplate } from '../api/update-template';
import { ContactPicker, type PickedContact } from './contact-picker';
import { MergeFields } from './merge-fields';
import { STARTER_HTML, STARTER_MJML, STARTER_SUBJECT } from './starter';
import { TemplatePreview } from './template-preview';

type Format = 'html' | 'mjml';
type Part = 'subject' | 'body' | 'text';
interface Draft {
  name: string;
  subject: string;
  format: Format;
  body: string;
  /** Empty: generated from the HTML. */
  text: string;
}

const PREVIEW_DELAY_MS = 400;

const draftOf = (t: Template | undefined): Draft =>
  t
    ? { name: t.name, subject: t.subject, format: t.format, body: t.body, text: t.text ?? '' }
    : { name: '', subject: STARTER_SUBJECT, format: 'html', body: STARTER_HTML, text: '' };

const same = (a: Draft, b: Draft) =>
  a.name === b.name &&
  a.subject === b.subject &&
  a.format === b.format &&
  a.body === b.body &&
  a.text.trim() === b.text.trim();

/** Validation problems of a 400 answer, by part of the template (subject, body, text, name). */
function issuesOf(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    if (key && !(key in out)) out[key] = issue.message;
  }
  if (error.code === 'CONFLICT' && 'name' in out) out.name = error.message;
  return out;
}

/**
 * Create or edit an email template: name, subject, body (HTML or MJML), optional plain text, the
 * merge fields, and a live preview rendered by the server for a chosen contact or sample data.
 */
export function TemplateEditor({
  orgId,
  template,
  customFields,
}: {
  orgId: string;
  template?: Template;
  customFields: Array<{ key: string; label: string }>;
}) {
  const navigate = useNavigate();
  const canWrite = useCan('campaigns:write');
  const cannotWrite = useDisabledReason('campaigns:write', 'change templates');
  const [draft, setDraft] = React.useState<Draft>(() => draftOf(template));
  const saved = React.useMemo(() => draftOf(template), [template]);
  const dirty = !template || !same(draft, saved);
  const [contact, setContact] = React.useState<PickedContact | null>(null);
  const [saveIssues, setSaveIssues] = React.useState<Record<string, string>>({});
  const [confirmDelete, setConfirmDelete] = React.useState(false);
  useDocumentTitle(template ? template.name : 'New template');

  const create = useCreateTemplate(orgId);
  const update = useUpdateTemplate(orgId);
  const remove = useDeleteTemplate(orgId);
  const test = useSendTest();

  // Live preview of the unsaved content, 400 ms after the last keystroke.
  // (Memoised: a new object every render would restart the debounce timer for ever.)
  const contactId = contact?.id;
  const liveInput = React.useMemo(
    () => ({
      subject: draft.subject,
      format: draft.format,
      body: draft.body,
      text: draft.text.trim() ? draft.text : null,
      ...(contactId ? { contactId } : {}),
    }),
    [draft.subject, draft.format, draft.body, draft.text, contactId],
  );
  const previewInput = useDebouncedValue(liveInput, PREVIEW_DELAY_MS);
  const preview = usePreview(orgId, previewInput, {
    enabled: previewInput.subject.trim() !== '' && previewInput.body.trim() !== '',
  });
  const previewIssues = preview.isError ? issuesOf(preview.error) : {};
  const previewError = preview.isError ? errorMessage(preview.error) : undefined;
  const issue = (part: keyof Draft) =>
    saveIssues[part] ?? (part === 'name' ? undefined : previewIssues[part]);

  // Merge fields go where the cursor was in the last focused part (the body by default).
  const refs = {
    subject: React.useRef<HTMLInputElement>(null),
    body: React.useRef<HTMLTextAreaElement>(null),
    text: React.useRef<HTMLTextAreaElement>(null),
  };
  const lastPart = React.useRef<Part>('body');
  const pendingCursor = React.useRef<{ part: Part; at: number } | null>(null);
  React.useLayoutEffect(() => {
    const pending = pendingCursor.current;
    if (!pending) return;
    pendingCursor.current = null;
    const el = refs[pending.part].current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(pending.at, pending.at);
  });

  const change = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    if (saveIssues[key]) setSaveIssues(({ [key]: _, ...rest }) => rest);
  };

  const insert = (tag: string) => {
    const part = lastPart.current;
    const el = refs[part].current;
    const value = draft[part];
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    change(part, value.slice(0, start) + tag + value.slice(end));
    pendingCursor.current = { part, at: start + tag.length };
  };

  const switchFormat = (format: Format) => {
    if (format === draft.format) return;
    // An untouched example (or nothing) becomes the example of the other format.
    const untouched = draft.body.trim() === '' || draft.body === STARTER_HTML || draft.body === STARTER_MJML;
    setDraft((d) => ({
      ...d,
      format,
      body: untouched ? (format === 'mjml' ? STARTER_MJML : STARTER_HTML) : d.body,
    }));
  };

  const save = async () => {
    const missing: Record<string, string> = {};
    if (!draft.name.trim()) missing.name = 'Give the template a name';
    if (!draft.subject.trim()) missing.subject = 'Write a subject';
    if (!draft.body.trim()) missing.body = 'Write the body of the email';
    setSaveIssues(missing);
    if (Object.keys(missing).length > 0) return;
    const input = { ...draft, name: draft.name.trim(), text: draft.text.trim() ? draft.text : null };
    try {
      if (template) {
        await update.mutateAsync({ id: template.id, ...input });
        toast.success('Template saved');
      } else {
        const created = await create.mutateAsync(input);
        toast.success(`Template “${created.name}” created`);
        void navigate({ to: '/templates/$id', params: { id: created.id }, replace: true });
      }
    } catch (error) {
      const issues = issuesOf(error);
      setSaveIssues(issues);
      if (Object.keys(issues).length === 0) toast.error(errorMessage(error));
    }
  };

  const sendTest = () => {
    if (!template) return;
    test.mutate(
      { id: template.id, ...(contact ? { contactId: contact.id } : {}) },
      {
        onSuccess: ({ sentTo }) => toast.success(`Test sent to ${sentTo}`),
        onError: (error) => toast.error(errorMessage(error)),
      },
    );
  };

  const doDelete = () => {
    if (!template) return;
    remove.mutate(
      { id: template.id },
      {
        onSuccess: () => {
          toast.success(`Template “${template.name}” deleted`);
          void navigate({ to: '/templates' });
        },
        onError: (error) => {
          setConfirmDelete(false);
          toast.error(errorMessage(error));
        },
      },
    );
  };

  const saving = create.isPending || update.isPending;
  const testReason = !canWrite
    ? cannotWrite
    : !template
      ? 'Save the template first'
      : dirty
        ? 'Save your changes first: a test sends the saved template'
        : undefined;

  return (
    <div className="grid gap-6">
      <div className="grid gap-3">
        <Link
          to="/templates"
          className="inline-flex w-fit items-center gap-1 text-sm text-muted-foreground hover:text-foreground"
        >
          <ArrowLeft aria-hidden="true" className="size-4" />
          Templates
        </Link>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="grid gap-1">
            <h1 className="text-xl font-semibold tracking-tight">
              {template ? template.name : 'New template'}
            </h1>
            <p className="text-sm text-muted-foreground">
              {dirty && template
                ? 'Unsaved changes'
                : 'Reusable email content for campaigns and transactional email.'}
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {template ? (
              <DisabledHint reason={cannotWrite}>
                <Button
                  variant="destructive-ghost"
                  disabled={!canWrite}
                  onClick={() => setConfirmDelete(true)}
                >
                  <Trash2 aria-hidden="true" />
                  Delete
                </Button>
              </DisabledHint>
            ) : null}
            <DisabledHint reason={testReason}>
              <Button
                variant="secondary"
                disabled={Boolean(testReason)}
                loading={test.isPending}
                onClick={sendTest}
              >
                <Send aria-hidden="true" />
                Send test
              </Button>
            </DisabledHint>
            <DisabledHint reason={cannotWrite} align="end">
              <Button
                onClick={() => void save()}
                loading={saving}
                disabled={!canWrite || (!dirty && !!template)}
              >
                {template ? 'Save' : 'Create template'}
              </Button>
            </DisabledHint>
          </div>
        </div>
      </div>

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <form
          className="grid gap-4"
          aria-label="Template"
          onSubmit={(e) => {
            e.preventDefault();
            if (canWrite) void save();
          }}
        >
          <FormField label="Name" error={issue('name')} hint="Only you and your team see it.">
            <Input
              value={draft.name}
              onChange={(e) => change('name', e.target.value)}
              maxLength={200}
              placeholder="Monthly newsletter"
              disabled={!canWrite}
              required
            />
          </FormField>
          <FormField label="Subject" error={issue('subject')}>
            <Input
              ref={refs.subject}
              value={draft.subject}
              onChange={(e) => change('subject', e.target.value)}
              onFocus={() => {
                lastPart.current = 'subject';
              }}
              maxLength={500}
              disabled={!canWrite}
              required
            />
          </FormField>
          <div className="grid gap-2">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span id="body-label" className="text-sm font-medium">
                Body
              </span>
              <Tabs
                aria-label="Body format"
                value={draft.format}
                onValueChange={(f) => (canWrite ? switchFormat(f) : undefined)}
                items={[
                  { value: 'html', label: 'HTML' },
                  { value: 'mjml', label: 'MJML' },
                ]}
              />
            </div>
            <FormField
              label={<span className="sr-only">Body ({draft.format === 'mjml' ? 'MJML' : 'HTML'})</span>}
              error={issue('body')}
              hint={
                draft.format === 'mjml'
                  ? 'A full <mjml> document; it is compiled to responsive HTML.'
                  : 'An HTML fragment is placed in a responsive layout; a full <html> document is sent as it is.'
              }
            >
              <Textarea
                ref={refs.body}
                value={draft.body}
                onChange={(e) => change('body', e.target.value)}
                onFocus={() => {
                  lastPart.current = 'body';
                }}
                spellCheck={false}
                disabled={!canWrite}
                className="min-h-[22rem] font-mono text-[0.8125rem] leading-relaxed"
              />
            </FormField>
          </div>
          <FormField
            label="Plain text (optional)"
            error={issue('text')}
            hint="Shown by mail apps that do not display HTML."
          >
            <Textarea
              ref={refs.text}
              value={draft.text}
              onChange={(e) => change('text', e.target.value)}
              onFocus={() => {
                lastPart.current = 'text';
              }}
              spellCheck={false}
              disabled={!canWrite}
              placeholder="Leave empty: the plain text is generated from the HTML."
              className="min-h-28 font-mono text-[0.8125rem]"
            />
          </FormField>
          <MergeFields customFields={customFields} onInsert={insert} disabled={!canWrite} />
        </form>

        <div className="lg:sticky lg:top-4">
          <TemplatePreview
            rendered={preview.data}
            loading={preview.isFetching}
            error={previewError}
            picker={<ContactPicker orgId={orgId} value={contact} onChange={setContact} />}
          />
        </div>
      </div>

      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title="Delete this template?"
        description={`“${template?.name ?? ''}” will be deleted. Campaigns that have started sending keep their content; draft campaigns that use it will need another template.`}
        confirmLabel="Delete template"
        onConfirm={doDelete}
        pending={remove.isPending}
      />
    </div>
  );
}
