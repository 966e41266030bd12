import type * as React from 'react';
import { createContext, useContext } from 'react';
import type { CompanyPickerProps, CompanyRef, FieldDefinition } from '@/components/fields/types';

export interface TagOption {
  id: string;
  name: string;
  color: string;
}

export interface MemberOption {
  userId: string;
  name: string;
  email: string;
}

/**
 * What the contacts screens need from other features (tags, members, custom fields, companies).
 * Features do not import each other: the route fills this in and wraps the screen with it.
 */
export interface ContactsEnv {
  tags: TagOption[];
  members: MemberOption[];
  /** Custom field definitions of contacts, in display order. */
  fields: FieldDefinition[];
  CompanyPicker: React.ComponentType<CompanyPickerProps>;
  /** Creates a company (a new contact's "Create company …", once the contact is saved). */
  createCompany: (name: string) => Promise<CompanyRef>;
  /** Deletes a company again (when the contact it was created for could not be saved). */
  deleteCompany: (id: string) => Promise<void>;
  /** Contacts were created, changed or deleted: refresh what depends on them (tag counts, segment counts). */
  onContactsChanged: () => void;
}

const Context = createContext<ContactsEnv | null>(null);

export function ContactsEnvProvider({ value, children }: { value: ContactsEnv; children: React.ReactNode }) {
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useContactsEnv(): ContactsEnv {
  const env = useContext(Context);
  if (!env) throw new Error('useContactsEnv: wrap the screen in <ContactsEnvProvider>');
  return env;
}

export function tagColor(env: Pick<ContactsEnv, 'tags'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return env.tags.find((t) => t.name.toLowerCase() === lower)?.color;
}
