import { SUBSCRIPTION_STATUS_LABELS } from '@common/contacts';
import { Link } from '@tanstack/react-router';
import type * as React from 'react';
import { formatCustomValue } from '@/components/fields/custom-field';
import type { FieldDefinition } from '@/components/fields/types';
import { TagChip } from '@/components/ui/tag-chip';
import { formatDate } from '@/lib/utils';
import { type Contact, contactName } from '../api/types';
import { type ContactsEnv, tagColor } from './contacts-env';

export interface ColumnSpec {
  id: string;
  label: string;
  /** The API `sort` value for this column; unsortable when absent. */
  sortKey?: string;
  width: number;
  /** Shown unless the user hides it. */
  defaultVisible: boolean;
  /** Always shown (the name). */
  fixed?: boolean;
  render: (contact: Contact) => React.ReactNode;
}

const muted = (text: string | null | undefined) =>
  text ? <span className="truncate">{text}</span> : <span className="text-muted-foreground">—</span>;

/** The table's columns: standard ones, then one per custom field (hidden until chosen). */
export function buildColumns(env: Pick<ContactsEnv, 'tags' | 'fields'>): ColumnSpec[] {
  const standard: ColumnSpec[] = [
    {
      id: 'name',
      label: 'Name',
      sortKey: 'firstName',
      width: 220,
      defaultVisible: true,
      fixed: true,
      render: (c) => (
        <Link
          to="/contacts/$id"
          params={{ id: c.id }}
          className="block truncate font-medium text-foreground outline-none hover:underline focus-visible:underline"
          data-testid="contact-name"
        >
          {contactName(c)}
        </Link>
      ),
    },
    {
      id: 'email',
      label: 'Email',
      sortKey: 'email',
      width: 240,
      defaultVisible: true,
      render: (c) => muted(c.email),
    },
    {
      id: 'company',
      label: 'Company',
      sortKey: 'companyName',
      width: 170,
      defaultVisible: true,
      render: (c) => muted(c.company?.name),
    },
    {
      id: 'jobTitle',
      label: 'Job title',
      sortKey: 'jobTitle',
      width: 170,
      defaultVisible: true,
      render: (c) => muted(c.jobTitle),
    },
    {
      id: 'tags',
      label: 'Tags',
      width: 200,
      defaultVisible: true,
      render: (c) =>
        c.tags.length === 0 ? (
          <span className="text-muted-foreground">—</span>
        ) : (
          <span className="flex gap-1 overflow-hidden">
            {c.tags.slice(0, 3).map((t) => (
              <TagChip key={t} name={t} color={tagColor(env, t)} />
            ))}
            {c.tags.length > 3 ? (
              <span className="text-xs text-muted-foreground">+{c.tags.length - 3}</span>
            ) : null}
          </span>
        ),
    },
    { id: 'owner', label: 'Owner', width: 150, defaultVisible: true, render: (c) => muted(c.owner?.name) },
    { id: 'phone', label: 'Phone', width: 150, defaultVisible: false, render: (c) => muted(c.phones[0]) },
    {
      id: 'subscriptionStatus',
      label: 'Subscription',
      width: 130,
      defaultVisible: false,
      render: (c) => <span>{SUBSCRIPTION_STATUS_LABELS[c.subscriptionStatus] ?? c.subscriptionStatus}</span>,
    },
    {
      id: 'updatedAt',
      label: 'Updated',
      sortKey: 'updatedAt',
      width: 120,
      defaultVisible: false,
      render: (c) => <span className="text-muted-foreground">{formatDate(c.updatedAt)}</span>,
    },
    {
      id: 'createdAt',
      label: 'Created',
      sortKey: 'createdAt',
      width: 120,
      defaultVisible: true,
      render: (c) => <span className="text-muted-foreground">{formatDate(c.createdAt)}</span>,
    },
  ];
  const custom = env.fields.map(
    (f: FieldDefinition): ColumnSpec => ({
      id: `custom.${f.key}`,
      label: f.label,
      sortKey: `custom.${f.key}`,
      width: f.type === 'long_text' ? 240 : 150,
      defaultVisible: false,
      render: (c) => muted(formatCustomValue(f, c.customFields[f.key])),
    }),
  );
  return [...standard, ...custom];
}
