import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '@common/contacts';
import * as React from 'react';
import { fieldErrorMessage } from '@/components/fields/field-error';
import { FieldRow } from '@/components/fields/inline-field';
import { Button } from '@/components/ui/button';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { ApiError } from '@/lib/api';
import type { Contact, ContactInput } from '../api/types';
import {
  type ConsentDraft,
  ConsentInputs,
  consentProblems,
  describeConsent,
  emptyConsent,
} from './consent-inputs';
import { STATUS_LABELS } from './contact-detail-shared';

/**
 * The contact's marketing subscription and its consent record. Subscribing (or recording new
 * consent) asks for the lawful basis and where the person agreed; other changes save at once.
 */
export function SubscriptionField({
  contact,
  save,
  disabled,
}: {
  contact: Contact;
  save: (input: ContactInput) => Promise<unknown>;
  disabled: boolean;
}) {
  const id = React.useId();
  const [error, setError] = React.useState<string>();
  const [saving, setSaving] = React.useState(false);
  const [asking, setAsking] = React.useState(false);
  const [draft, setDraft] = React.useState<ConsentDraft>(emptyConsent);
  const [draftErrors, setDraftErrors] = React.useState<{ basis?: string; source?: string }>({});

  const run = async (input: ContactInput) => {
    setSaving(true);
    try {
      await save(input);
      setError(undefined);
      return true;
    } catch (e) {
      if (e instanceof ApiError) {
        const f = e.fieldErrors();
        if (f['consent.basis'] || f['consent.source']) {
          setDraftErrors({ basis: f['consent.basis'], source: f['consent.source'] });
          return false;
        }
      }
      setError(fieldErrorMessage(e, ['subscriptionStatus']));
      return false;
    } finally {
      setSaving(false);
    }
  };

  const onStatus = (next: string) => {
    const status = next as SubscriptionStatus;
    if (status === contact.subscriptionStatus) return;
    if (status === 'subscribed') {
      setDraft(emptyConsent());
      setDraftErrors({});
      setAsking(true);
      return;
    }
    setAsking(false);
    void run({ subscriptionStatus: status });
  };

  const submit = async () => {
    const problems = consentProblems(draft);
    setDraftErrors(problems);
    if (Object.keys(problems).length > 0 || !draft.basis) return;
    const ok = await run({
      subscriptionStatus: 'subscribed',
      consent: { basis: draft.basis, source: draft.source.trim() },
    });
    if (ok) setAsking(false);
  };

  const consentText = describeConsent(contact.consent);
  return (
    <>
      <FieldRow label="Subscription" htmlFor={id} error={error}>
        <Select
          value={asking ? 'subscribed' : contact.subscriptionStatus}
          onValueChange={onStatus}
          disabled={disabled || saving}
        >
          <SelectTrigger id={id} size="sm" className="max-w-xs" aria-invalid={error ? true : undefined}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {SUBSCRIPTION_STATUSES.map((s) => (
              <SelectItem key={s} value={s}>
                {STATUS_LABELS[s]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        {asking ? (
          <div className="mt-3 grid gap-3 rounded-md border p-3">
            <p className="text-[0.8125rem] text-muted-foreground">
              Subscribe only people who agreed to receive marketing email. Record on what basis and where.
            </p>
            <ConsentInputs
              idPrefix={`${id}-consent`}
              value={draft}
              onChange={setDraft}
              errors={draftErrors}
            />
            <div className="flex gap-2">
              <Button size="sm" loading={saving} onClick={() => void submit()}>
                {contact.subscriptionStatus === 'subscribed' ? 'Record consent' : 'Subscribe'}
              </Button>
              <Button size="sm" variant="secondary" onClick={() => setAsking(false)} disabled={saving}>
                Cancel
              </Button>
            </div>
          </div>
        ) : null}
      </FieldRow>
      <FieldRow label="Consent">
        <div className="flex flex-wrap items-center gap-2 pt-1.5 text-sm">
          {consentText ? (
            <span data-testid="contact-consent">{consentText}</span>
          ) : (
            <span className="text-muted-foreground">No consent recorded</span>
          )}
          {!disabled && !asking && contact.subscriptionStatus === 'subscribed' ? (
            <Button
              size="sm"
              variant="ghost"
              className="h-6 px-2 text-[0.8125rem]"
              onClick={() => {
                setDraft({ basis: contact.consent?.basis ?? '', source: contact.consent?.source ?? '' });
                setDraftErrors({});
                setAsking(true);
              }}
            >
              Update
            </Button>
          ) : null}
        </div>
      </FieldRow>
    </>
  );
}
