import type { Body, Res } from '@/lib/api';

/** A contact as the API returns it. Every string in it is untrusted: render as text only. */
export type Contact = Res<'/api/v1/contacts/{id}', 'get'>;

/** The body of POST /contacts and PATCH /contacts/{id} (all optional). */
export type ContactInput = Body<'/api/v1/contacts/{id}', 'patch'>;

/** Keys of organisation data are scoped by organisation; everything about contacts sits under one prefix. */
export const contactsKey = (orgId: string) => ['orgs', orgId, 'contacts'] as const;
export const contactDetailKey = (orgId: string, id: string) => [...contactsKey(orgId), 'detail', id] as const;

export function contactName(c: Pick<Contact, 'firstName' | 'lastName' | 'email'>): string {
  const name = `${c.firstName} ${c.lastName}`.trim();
  return name || c.email || 'Unnamed contact';
}
