import { Link } from '@tanstack/react-router';
import type * as React from 'react';
import { CustomFieldEditor } from '@/components/fields/custom-field';
import { fieldErrorMessage } from '@/components/fields/field-error';
import { InlineSelectField, InlineSwitchField, InlineTextField } from '@/components/fields/inline-field';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { isApiError } from '@/lib/api';
import { formatDate, formatDateTime } from '@/lib/utils';
import type { Contact } from '../api/types';
import { CompanyField } from './contact-company-field';
import { splitList, useSaver } from './contact-detail-shared';
import { useContactsEnv } from './contacts-env';
import { SubscriptionField } from './subscription-field';

export function DetailsCard({
  orgId,
  contact,
  canWrite,
}: {
  orgId: string;
  contact: Contact;
  canWrite: boolean;
}) {
  const env = useContactsEnv();
  const save = useSaver(orgId, contact);
  const err = (path: string[]) => (e: unknown) => fieldErrorMessage(e, path);
  const text = (
    key: 'firstName' | 'lastName' | 'jobTitle' | 'source',
    label: string,
    extra: Partial<React.ComponentProps<typeof InlineTextField>> = {},
  ) => (
    <InlineTextField
      label={label}
      display={contact[key]}
      initial={contact[key]}
      onSave={(v) => save({ [key]: v.trim() })}
      errorFor={err([key])}
      disabled={!canWrite}
      testId={`field-${key}`}
      {...extra}
    />
  );
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle>Details</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="divide-y divide-border">
          {text('firstName', 'First name')}
          {text('lastName', 'Last name')}
          <InlineTextField
            label="Email"
            type="email"
            display={contact.email ?? ''}
            initial={contact.email ?? ''}
            onSave={(v) => save({ email: v.trim() || null })}
            errorFor={(e) =>
              isApiError(e, 'DUPLICATE_EMAIL')
                ? `${e.message} Merge the two contacts instead.`
                : fieldErrorMessage(e, ['email'])
            }
            disabled={!canWrite}
            testId="field-email"
          />
          <InlineTextField
            label="Other emails"
            display={contact.emails.join(', ')}
            initial={contact.emails.join(', ')}
            onSave={(v) => save({ emails: splitList(v) })}
            errorFor={err(['emails'])}
            disabled={!canWrite}
            placeholder="Separate with commas"
          />
          <InlineTextField
            label="Phones"
            type="tel"
            display={contact.phones.join(', ')}
            initial={contact.phones.join(', ')}
            onSave={(v) => save({ phones: splitList(v) })}
            errorFor={err(['phones'])}
            disabled={!canWrite}
            placeholder="Separate with commas"
          />
          {text('jobTitle', 'Job title')}
          <CompanyField orgId={orgId} contact={contact} canWrite={canWrite} />
          <InlineSelectField
            label="Owner"
            value={contact.owner?.id ?? null}
            options={env.members.map((m) => ({ value: m.userId, label: m.name || m.email }))}
            onSave={(v) => save({ ownerId: v })}
            errorFor={err(['ownerId'])}
            disabled={!canWrite}
            allowEmpty
            emptyLabel="No owner"
          />
          <SubscriptionField contact={contact} save={save} disabled={!canWrite} />
          {text('source', 'Source')}
          <InlineSwitchField
            label="Restricted processing"
            checked={contact.restricted}
            onSave={(v) => save({ restricted: v })}
            errorFor={err(['restricted'])}
            disabled={!canWrite}
            description={
              contact.restricted
                ? 'On: no marketing email or automated processing.'
                : 'Turn on when the person asks to restrict processing.'
            }
          />
        </dl>
        <p className="mt-4 text-xs text-muted-foreground">
          Added {formatDate(contact.createdAt)} · Updated {formatDateTime(contact.updatedAt)}
        </p>
      </CardContent>
    </Card>
  );
}

export function AddressCard({
  orgId,
  contact,
  canWrite,
}: {
  orgId: string;
  contact: Contact;
  canWrite: boolean;
}) {
  const save = useSaver(orgId, contact);
  const address = contact.address ?? {};
  const addressField = (key: keyof NonNullable<Contact['address']>, label: string) => (
    <InlineTextField
      label={label}
      display={address[key] ?? ''}
      initial={address[key] ?? ''}
      onSave={(v) => {
        const next = { ...address, [key]: v.trim() || undefined };
        const clean = Object.fromEntries(Object.entries(next).filter(([, x]) => x));
        return save({ address: Object.keys(clean).length > 0 ? clean : null });
      }}
      errorFor={(e) => fieldErrorMessage(e, ['address', key])}
      disabled={!canWrite}
    />
  );
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle>Address</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="divide-y divide-border">
          {addressField('street', 'Street')}
          {addressField('postalCode', 'Postal code')}
          {addressField('city', 'City')}
          {addressField('region', 'Region')}
          {addressField('country', 'Country')}
        </dl>
      </CardContent>
    </Card>
  );
}

export function CustomFieldsCard({
  orgId,
  contact,
  canWrite,
}: {
  orgId: string;
  contact: Contact;
  canWrite: boolean;
}) {
  const env = useContactsEnv();
  const save = useSaver(orgId, contact);
  if (env.fields.length === 0) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Custom fields</CardTitle>
          <CardDescription>
            None yet.{' '}
            <Link to="/settings/fields" className="font-medium text-accent hover:underline">
              Add custom fields
            </Link>{' '}
            to record what matters to your team.
          </CardDescription>
        </CardHeader>
      </Card>
    );
  }
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle>Custom fields</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="divide-y divide-border" data-testid="custom-fields">
          {env.fields.map((f) => (
            <CustomFieldEditor
              key={f.id}
              definition={f}
              value={contact.customFields[f.key]}
              onSave={(value) => save({ customFields: { [f.key]: value } })}
              disabled={!canWrite}
            />
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}
