import type { Address } from '@/components/fields/types';

/** A company as the API returns it (untrusted strings: render as text). */
export interface Company {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  size: string | null;
  website: string | null;
  address: Address | null;
  customFields: Record<string, unknown>;
  contactCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyInput {
  name?: string;
  domain?: string | null;
  industry?: string | null;
  size?: string | null;
  website?: string | null;
  address?: Address | null;
  customFields?: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const companiesKey = (orgId: string) => ['orgs', orgId, 'companies'] as const;
export const companyDetailKey = (orgId: string, id: string) =>
  [...companiesKey(orgId), 'detail', id] as const;
