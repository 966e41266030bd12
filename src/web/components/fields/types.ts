import type { CustomFieldType, FieldEntity } from '@common/contacts';

/** A custom field definition (GET /api/v1/fields): values live in the record's `customFields[key]`. */
export interface FieldDefinition {
  id: string;
  entity: FieldEntity;
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options: string[];
  position: number;
}

export interface Address {
  street?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

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
