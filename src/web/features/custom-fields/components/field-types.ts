import type { CustomFieldType } from '@common/contacts';
import { fieldKeyOf } from '@common/fields';

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

/** "Lead score" → "lead_score": what the server derives when no key is given (the server's own rule). */
export const suggestKey = (label: string): string => (label.trim() ? fieldKeyOf(label) : '');
