import type { ItemOf, Res } from '@/lib/api';

/** A custom field definition (GET /api/v1/fields): values live in the record's `customFields[key]`. */
export type FieldDefinition = ItemOf<Res<'/api/v1/fields', 'get'>>;

/** A contact's or company's address (every part optional). */
export type Address = NonNullable<Res<'/api/v1/contacts/{id}', 'get'>['address']>;

export interface CompanyRef {
  /** Empty while `isNew`. */
  id: string;
  name: string;
  /** Picked with "Create company …" in a picker with `deferCreate`: not created yet. */
  isNew?: boolean;
}

/** A company chooser (search as you type); provided by the companies feature, used by others. */
export interface CompanyPickerProps {
  value: CompanyRef | null;
  onChange: (company: CompanyRef | null) => void;
  id?: string;
  disabled?: boolean;
  autoFocus?: boolean;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  /** Called when the picker loses focus without a choice (inline editors close). */
  onBlur?: () => void;
  /**
   * "Create company …" only picks the new name (`isNew`); the form creates the company when it is
   * saved, so a cancelled form leaves no stray company behind.
   */
  deferCreate?: boolean;
}
