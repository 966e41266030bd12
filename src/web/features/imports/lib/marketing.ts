import { CONSENT_BASIS_LABELS } from '@common/contacts';
import type { ImportMarketing } from '@common/imports';

/** The marketing choice as it reads in the review and the result: "Subscribed (Consent · Webinar form)". */
export function describeMarketing(m: ImportMarketing | null | undefined): string {
  if (!m || m.mode === 'not_subscribed') return 'Not subscribed';
  if (m.mode === 'column') return 'From the subscription column';
  return `Subscribed (${CONSENT_BASIS_LABELS[m.basis]} · ${m.source})`;
}
