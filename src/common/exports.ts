/** The contact columns an export has when none are chosen (the API's default and the dialog's). */
export const DEFAULT_EXPORT_COLUMNS = [
  'firstName',
  'lastName',
  'email',
  'phones',
  'company',
  'jobTitle',
  'tags',
  'createdAt',
];
