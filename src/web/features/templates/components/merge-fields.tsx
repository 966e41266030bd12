import { Braces } from 'lucide-react';

export interface MergeField {
  tag: string;
  label: string;
}

const CONTACT: MergeField[] = [
  { tag: 'contact.firstName | default: "there"', label: 'First name' },
  { tag: 'contact.lastName', label: 'Last name' },
  { tag: 'contact.fullName', label: 'Full name' },
  { tag: 'contact.email', label: 'Email' },
  { tag: 'contact.phone', label: 'Phone' },
  { tag: 'contact.jobTitle', label: 'Job title' },
  { tag: 'contact.companyName', label: 'Company name' },
];
const COMPANY: MergeField[] = [
  { tag: 'company.name', label: 'Name' },
  { tag: 'company.domain', label: 'Domain' },
  { tag: 'company.website', label: 'Website' },
  { tag: 'company.industry', label: 'Industry' },
];
const ORGANIZATION: MergeField[] = [
  { tag: 'organization.name', label: 'Name' },
  { tag: 'organization.postalAddress', label: 'Postal address' },
];
const LINKS: MergeField[] = [
  { tag: 'unsubscribe_url', label: 'Unsubscribe link' },
  { tag: 'preferences_url', label: 'Preferences link' },
];

/** The merge fields a template may use; a click inserts `{{ … }}` where the cursor was. */
export function MergeFields({
  customFields,
  onInsert,
  disabled,
}: {
  customFields: Array<{ key: string; label: string }>;
  onInsert: (tag: string) => void;
  disabled?: boolean;
}) {
  const groups: Array<{ title: string; fields: MergeField[] }> = [
    {
      title: 'Contact',
      fields: [...CONTACT, ...customFields.map((f) => ({ tag: `contact.custom.${f.key}`, label: f.label }))],
    },
    { title: 'Company', fields: COMPANY },
    { title: 'Organisation', fields: ORGANIZATION },
    { title: 'Links', fields: LINKS },
  ];
  return (
    <section aria-labelledby="merge-fields-title" className="grid gap-3">
      <div className="grid gap-1">
        <h2 id="merge-fields-title" className="flex items-center gap-1.5 text-sm font-semibold">
          <Braces aria-hidden="true" className="size-4 text-muted-foreground" />
          Merge fields
        </h2>
        <p className="text-[0.8125rem] text-muted-foreground">
          Click to insert at the cursor. Empty values can fall back:{' '}
          {'{{ contact.firstName | default: "there" }}'}.
        </p>
      </div>
      {groups.map((group) => (
        <div key={group.title} className="grid gap-1">
          <h3 className="text-xs font-medium tracking-wide text-muted-foreground uppercase">{group.title}</h3>
          <ul className="flex flex-wrap gap-1.5">
            {group.fields.map((field) => (
              <li key={field.tag}>
                <button
                  type="button"
                  disabled={disabled}
                  title={`{{ ${field.tag} }}`}
                  aria-label={`Insert ${group.title.toLowerCase()} ${field.label.toLowerCase()}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => onInsert(`{{ ${field.tag} }}`)}
                  className="rounded-md border border-border bg-background px-2 py-1 text-xs text-foreground shadow-xs outline-none hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-50"
                >
                  {field.label}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
