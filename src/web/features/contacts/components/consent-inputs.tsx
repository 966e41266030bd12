import { CONSENT_BASIS_LABELS } from '@common/contacts';
import { CONSENT_BASES, type ConsentBasis } from '@common/email';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { formatDate } from '@/lib/utils';

export interface ConsentDraft {
  basis: ConsentBasis | '';
  source: string;
}
export const emptyConsent = (): ConsentDraft => ({ basis: '', source: '' });

/** What is missing from a consent draft, per field (empty when it can be saved). */
export function consentProblems(d: ConsentDraft): { basis?: string; source?: string } {
  return {
    ...(d.basis ? {} : { basis: 'Choose the lawful basis.' }),
    ...(d.source.trim() ? {} : { source: 'Say where the person agreed, e.g. “Webinar sign-up form 2026”.' }),
  };
}

/** The lawful basis and the source of a marketing subscription. */
export function ConsentInputs({
  idPrefix,
  value,
  onChange,
  errors = {},
}: {
  idPrefix: string;
  value: ConsentDraft;
  onChange: (next: ConsentDraft) => void;
  errors?: { basis?: string | undefined; source?: string | undefined };
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <FormField id={`${idPrefix}-basis`} label="Lawful basis" error={errors.basis}>
        <Select value={value.basis} onValueChange={(v) => onChange({ ...value, basis: v as ConsentBasis })}>
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
        id={`${idPrefix}-source`}
        label="Where they agreed"
        error={errors.source}
        hint={errors.source ? undefined : 'e.g. “Webinar sign-up form 2026”'}
      >
        <Input
          value={value.source}
          onChange={(e) => onChange({ ...value, source: e.target.value })}
          maxLength={200}
          autoComplete="off"
        />
      </FormField>
    </div>
  );
}

/** "Consent · Webinar sign-up form 2026 · 2 Dec 2026" */
export function describeConsent(
  consent: { basis: ConsentBasis | null; source: string; at: string | null } | null,
): string {
  if (!consent) return '';
  return [
    consent.basis ? CONSENT_BASIS_LABELS[consent.basis] : null,
    consent.source || null,
    consent.at ? formatDate(consent.at) : null,
  ]
    .filter(Boolean)
    .join(' · ');
}
