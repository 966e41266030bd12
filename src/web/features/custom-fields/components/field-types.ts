import type { CustomFieldType } from '@common/contacts';

export const FIELD_TYPE_LABELS: Record<CustomFieldType, string> = {
  text: 'Text',
  long_text: 'Long text',
  number: 'Number',
  date: 'Date',
  boolean: 'Yes / no',
  single_select: 'Single select',
  multi_select: 'Multi select',
  url: 'URL',
  email: 'Email',
  phone: 'Phone',
};

export const hasOptions = (type: CustomFieldType) => type === 'single_select' || type === 'multi_select';

/** "Lead score" → "lead_score": what the server derives when no key is given. */
export function suggestKey(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50);
}
