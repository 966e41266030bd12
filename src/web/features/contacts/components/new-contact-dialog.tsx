import { Link } from '@tanstack/react-router';
import { UserPlus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import type { CompanyRef } from '@/components/fields/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { ApiError, errorMessage, isApiError } from '@/lib/api';
import { useCreateContact } from '../api/create-contact';
import { type Contact, contactName } from '../api/types';
import { type ConsentDraft, ConsentInputs, consentProblems, emptyConsent } from './consent-inputs';
import { useContactsEnv } from './contacts-env';
import { TagListInput } from './tag-input';

type Field = 'firstName' | 'lastName' | 'email' | 'phone' | 'company' | 'tags' | 'basis' | 'source';
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function NewContactForm({ orgId, onDone }: { orgId: string; onDone: (contact?: Contact) => void }) {
  const env = useContactsEnv();
  const create = useCreateContact(orgId);
  const [firstName, setFirstName] = React.useState('');
  const [lastName, setLastName] = React.useState('');
  const [email, setEmail] = React.useState('');
  const [phone, setPhone] = React.useState('');
  const [company, setCompany] = React.useState<CompanyRef | null>(null);
  const [tags, setTags] = React.useState<string[]>([]);
  // Consent at the door: not subscribed unless the person agreed (and we say on what basis, where).
  const [agreed, setAgreed] = React.useState(false);
  const [consent, setConsent] = React.useState<ConsentDraft>(emptyConsent);
  const [errors, setErrors] = React.useState<Partial<Record<Field, string>>>({});
  const [duplicateId, setDuplicateId] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();
  const { CompanyPicker } = env;

  const [saving, setSaving] = React.useState(false);

  const showError = (error: unknown) => {
    if (isApiError(error, 'DUPLICATE_EMAIL')) {
      const id = (error.details as { contactId?: unknown } | undefined)?.contactId;
      setErrors({ email: error.message });
      if (typeof id === 'string') setDuplicateId(id);
      return;
    }
    if (error instanceof ApiError && error.issues.length > 0) {
      const f = error.fieldErrors();
      setErrors({
        firstName: f.firstName,
        lastName: f.lastName,
        email: f.email,
        phone: f['phones.0'] ?? f.phones,
        company: f.companyId,
        tags: Object.entries(f).find(([k]) => k.startsWith('tags'))?.[1],
        basis: f['consent.basis'],
        source: f['consent.source'],
      });
      if (!Object.values(f).length) setFormError(error.message);
      return;
    }
    setFormError(errorMessage(error));
  };

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    setDuplicateId(undefined);
    const next: Partial<Record<Field, string>> = {};
    const e = email.trim();
    if (!firstName.trim() && !lastName.trim() && !e && !phone.trim()) {
      next.firstName = 'Enter a name, an email address or a phone number.';
    }
    if (e && !EMAIL_RE.test(e)) next.email = 'Enter a valid email address.';
    if (agreed) Object.assign(next, consentProblems(consent));
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    setSaving(true);
    // A company picked with "Create company …" is created now, with the contact: a cancelled
    // dialog leaves nothing behind, and a contact that cannot be saved takes its new company with it.
    let newCompany: CompanyRef | undefined;
    try {
      if (company?.isNew) {
        try {
          newCompany = await env.createCompany(company.name);
        } catch (error) {
          setErrors({ company: `Could not create the company: ${errorMessage(error)}` });
          return;
        }
      }
      const companyId = newCompany?.id ?? company?.id;
      const contact = await create.mutateAsync({
        firstName: firstName.trim(),
        lastName: lastName.trim(),
        ...(e ? { email: e } : {}),
        ...(phone.trim() ? { phones: [phone.trim()] } : {}),
        ...(companyId ? { companyId } : {}),
        ...(tags.length > 0 ? { tags } : {}),
        ...(agreed && consent.basis
          ? {
              subscriptionStatus: 'subscribed' as const,
              consent: { basis: consent.basis, source: consent.source.trim() },
            }
          : {}),
      });
      toast.success(`${contactName(contact)} added`);
      env.onContactsChanged();
      onDone(contact);
    } catch (error) {
      if (newCompany) await env.deleteCompany(newCompany.id).catch(() => undefined);
      showError(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form noValidate onSubmit={(event) => void onSubmit(event)} className="grid gap-4">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="new-contact-first-name" label="First name" error={errors.firstName}>
          <Input
            value={firstName}
            onChange={(e) => setFirstName(e.target.value)}
            autoComplete="off"
            maxLength={100}
          />
        </FormField>
        <FormField id="new-contact-last-name" label="Last name" error={errors.lastName}>
          <Input
            value={lastName}
            onChange={(e) => setLastName(e.target.value)}
            autoComplete="off"
            maxLength={100}
          />
        </FormField>
      </div>
      <div className="grid gap-2">
        <FormField id="new-contact-email" label="Email" error={errors.email}>
          <Input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoComplete="off"
            maxLength={254}
          />
        </FormField>
        {duplicateId ? (
          <Link
            to="/contacts/$id"
            params={{ id: duplicateId }}
            className="text-[0.8125rem] font-medium text-accent hover:underline"
            onClick={() => onDone()}
          >
            Open the existing contact
          </Link>
        ) : null}
      </div>
      <FormField id="new-contact-phone" label="Phone" error={errors.phone}>
        <Input
          type="tel"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          autoComplete="off"
          maxLength={40}
        />
      </FormField>
      <FormField
        id="new-contact-company"
        label="Company"
        error={errors.company}
        hint={
          company?.isNew
            ? `“${company.name}” is a new company: it is created when you add the contact.`
            : undefined
        }
      >
        <CompanyPicker value={company} onChange={setCompany} deferCreate />
      </FormField>
      <FormField id="new-contact-tags" label="Tags" error={errors.tags}>
        <TagListInput value={tags} onChange={setTags} />
      </FormField>
      <fieldset className="grid gap-3 rounded-md border p-3">
        <legend className="px-1 text-[0.8125rem] font-medium">Marketing email</legend>
        <div className="flex items-start gap-2">
          <Checkbox
            id="new-contact-agreed"
            checked={agreed}
            onCheckedChange={(v) => setAgreed(v === true)}
            className="mt-0.5"
          />
          <div className="grid gap-0.5">
            {/* "messages", not "email": the form's email field is found by its label "Email" */}
            <Label htmlFor="new-contact-agreed">This person agreed to receive marketing messages</Label>
            <p className="text-[0.8125rem] text-muted-foreground">
              {agreed
                ? 'They are added as Subscribed, with this consent on record.'
                : 'Left unticked, they are added as Not subscribed: campaigns skip them.'}
            </p>
          </div>
        </div>
        {agreed ? (
          <ConsentInputs
            idPrefix="new-contact-consent"
            value={consent}
            onChange={setConsent}
            errors={{ basis: errors.basis, source: errors.source }}
          />
        ) : null}
      </fieldset>
      <DialogFooter>
        <Button variant="secondary" onClick={() => onDone()} disabled={saving}>
          Cancel
        </Button>
        <Button type="submit" loading={saving}>
          Add contact
        </Button>
      </DialogFooter>
    </form>
  );
}

/** "New contact": a dialog with the essentials; everything else is edited on the contact page. */
export function NewContactDialog({
  orgId,
  disabled,
  onCreated,
}: {
  orgId: string;
  disabled?: boolean;
  onCreated?: (contact: Contact) => void;
}) {
  const [open, setOpen] = React.useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button disabled={disabled}>
          <UserPlus aria-hidden="true" />
          New contact
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>New contact</DialogTitle>
          <DialogDescription>
            Add the essentials now; you can fill in everything else on the contact’s page.
          </DialogDescription>
        </DialogHeader>
        {open ? (
          <NewContactForm
            orgId={orgId}
            onDone={(contact) => {
              setOpen(false);
              if (contact) onCreated?.(contact);
            }}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
