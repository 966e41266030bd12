import type { Body, Res } from '@/lib/api';

/** A company as the API returns it (untrusted strings: render as text). */
export type Company = Res<'/api/v1/companies/{id}', 'get'>;

/** The body of PATCH /companies/{id} (all optional; POST /companies needs `name`). */
export type CompanyInput = Body<'/api/v1/companies/{id}', 'patch'>;

export const companiesKey = (orgId: string) => ['orgs', orgId, 'companies'] as const;
export const companyDetailKey = (orgId: string, id: string) =>
  [...companiesKey(orgId), 'detail', id] as const;
