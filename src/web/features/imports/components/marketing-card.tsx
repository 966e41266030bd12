import { CONSENT_BASIS_LABELS } from '@common/contacts';
import { CONSENT_BASES, type ConsentBasis } from '@common/email';
import type { ImportMarketing, ImportMarketingMode } from '@common/imports';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { RadioCards } from '@/components/ui/radio-group';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';

/** The wizard's editable marketing choice (the basis may still be unchosen). */
export type MarketingDraft =
  | { mode: 'subscribed'; basis: ConsentBasis | ''; source: string }
  | { mode: 'not_subscribed' }
  | { mode: 'column' };

export function marketingDraftOf(m: ImportMarketing | null | undefined): MarketingDraft {
  return m ?? { mode: 'not_subscribed' };
}

/** What is missing before the draft can be sent, per field. */
export function marketingDraftProblems(d: MarketingDraft, hasStatusColumn: boolean) {
  const out: { basis?: string; source?: string; mode?: string } = {};
  if (d.mode === 'subscribed') {
    if (!d.basis) out.basis = 'Choose the lawful basis.';
    if (!d.source.trim()) out.source = 'Say where these people agreed, e.g. “Webinar sign-up form 2026”.';
  }
  if (d.mode === 'column' && !hasStatusColumn)
    out.mode = 'Map a column to “Subscription status” above, or choose another option.';
  return out;
}

export function marketingOf(d: MarketingDraft): ImportMarketing | undefined {
  if (d.mode !== 'subscribed') return d;
  return d.basis ? { mode: 'subscribed', basis: d.basis, source: d.source.trim() } : undefined;
}

const OPTIONS: ReadonlyArray<{ value: ImportMarketingMode; label: string; description: string }> = [
  {
    value: 'not_subscribed',
    label: 'Not subscribed',
    description: 'New contacts get no marketing email until they agree. The safe choice for any list.',
  },
  {
    value: 'subscribed',
    label: 'Subscribed: they agreed to marketing email',
    description: 'Only when everyone in the file agreed. Record the lawful basis and where they agreed.',
  },
  {
    value: 'column',
    label: 'Use the subscription column',
    description:
      'Rows saying subscribed, yes, true, 1 or opted in are subscribed (basis from a “Consent basis” column, else consent); any other value is not.',
  },
];

/**
 * "Marketing email": what the import does for the contacts it creates. Contacts that already exist
 * keep their status; an unsubscribe, bounce or complaint in the subscription column still applies.
 */
export function MarketingCard({
  value,
  onChange,
  disabled,
  errors,
  updateOnly,
}: {
  value: MarketingDraft;
  onChange: (next: MarketingDraft) => void;
  disabled: boolean;
  errors: { basis?: string | undefined; source?: string | undefined; mode?: string | undefined };
  updateOnly: boolean;
}) {
  return (
    <Card data-testid="import-marketing">
      <CardHeader className="pb-4">
        <CardTitle>Marketing email</CardTitle>
        <CardDescription>
          {updateOnly
            ? '“Update only” creates no contacts: everyone keeps their subscription status.'
            : 'For the contacts this import creates. Contacts that already exist keep their status; an import never subscribes them again.'}
        </CardDescription>
      </CardHeader>
      {updateOnly ? null : (
        <CardContent className="grid gap-4">
          <RadioCards
            legend="New contacts are"
            name="import-marketing"
            value={value.mode}
            onValueChange={(mode) =>
              onChange(
                mode === 'subscribed'
                  ? {
                      mode,
                      basis: value.mode === 'subscribed' ? value.basis : '',
                      source: value.mode === 'subscribed' ? value.source : '',
                    }
                  : { mode },
              )
            }
            options={OPTIONS}
            disabled={disabled}
          />
          {errors.mode ? (
            <p role="alert" className="text-[0.8125rem] text-destructive">
              {errors.mode}
            </p>
          ) : null}
          {value.mode === 'subscribed' ? (
            <div className="grid max-w-xl gap-4 sm:grid-cols-2">
              <FormField id="import-consent-basis" label="Lawful basis" error={errors.basis}>
                <Select
                  value={value.basis}
                  onValueChange={(b) => onChange({ ...value, basis: b as ConsentBasis })}
                  disabled={disabled}
                >
                  <SelectTrigger aria-invalid={errors.basis ? true : undefined}>
                    <SelectValue placeholder="Choose…" />
                  </SelectTrigger>
                  <SelectContent>
                    {CONSENT_BASES.map((b) => (
                      <SelectItem key={b} value={b}>
                        {CONSENT_BASIS_LABELS[b]}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              </FormField>
              <FormField
                id="import-consent-source"
                label="Where they agreed"
                error={errors.source}
                hint={errors.source ? undefined : 'e.g. “Webinar sign-up form 2026”'}
              >
                <Input
                  value={value.source}
                  onChange={(e) => onChange({ ...value, source: e.target.value })}
                  maxLength={200}
                  disabled={disabled}
                  autoComplete="off"
                />
              </FormField>
            </div>
          ) : null}
        </CardContent>
      )}
    </Card>
  );
}
