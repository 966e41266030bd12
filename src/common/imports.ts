/** What a CSV column can be mapped to, shared by the import API and the import wizard. */

/** Standard contact fields an import column can fill. */
export const STANDARD_TARGETS = [
  'email',
  'firstName',
  'lastName',
  'fullName',
  'phone',
  'companyName',
  'jobTitle',
  'source',
  'tags',
  'street',
  'city',
  'region',
  'postalCode',
  'country',
  'subscriptionStatus',
] as const;
export type StandardTarget = (typeof STANDARD_TARGETS)[number];

/** Custom-field types the wizard can create on the spot from a column. */
export const NEW_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'url', 'email', 'phone'] as const;
export type NewFieldType = (typeof NEW_FIELD_TYPES)[number];

/** Where one CSV column goes: a standard field, a custom field, a new custom field, or nowhere. */
export type ImportTarget =
  | { type: 'ignore' }
  | { type: 'standard'; field: StandardTarget }
  | { type: 'custom'; key: string }
  | { type: 'new_field'; label: string; fieldType: NewFieldType };
