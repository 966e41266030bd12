import { Plus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
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
import { ApiError, errorMessage } from '@/lib/api';
import { useCreateCompany } from '../api/create-company';
import type { Company } from '../api/types';

type Field = 'name' | 'domain' | 'industry' | 'website';

function NewCompanyForm({ orgId, onDone }: { orgId: string; onDone: (company?: Company) => void }) {
  const create = useCreateCompany(orgId);
  const [values, setValues] = React.useState<Record<Field, string>>({
    name: '',
    domain: '',
    industry: '',
    website: '',
  });
  const [errors, setErrors] = React.useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = React.useState<string>();
  const set = (k: Field) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setValues({ ...values, [k]: e.target.value });

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    if (!values.name.trim()) {
      setErrors({ name: 'Enter the company’s name.' });
      return;
    }
    setErrors({});
    const clean = (v: string) => v.trim() || undefined;
    create.mutate(
      {
        name: values.name.trim(),
        domain: clean(values.domain),
        industry: clean(values.industry),
        website: clean(values.website),
      },
      {
        onSuccess: (company) => {
          toast.success(`${company.name} added`);
          onDone(company);
        },
        onError: (e) => {
          if (e instanceof ApiError) {
            const f = e.fieldErrors();
            if (Object.keys(f).length > 0) {
              setErrors({ name: f.name, domain: f.domain, industry: f.industry, website: f.website });
              return;
            }
            if (e.status === 409) {
              setErrors({ domain: e.message });
              return;
            }
          }
          setFormError(errorMessage(e));
        },
      },
    );
  };

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-4">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      <FormField id="new-company-name" label="Name" error={errors.name}>
        <Input value={values.name} onChange={set('name')} autoComplete="off" maxLength={200} />
      </FormField>
      <FormField id="new-company-domain" label="Domain" error={errors.domain} hint="e.g. example.com">
        <Input value={values.domain} onChange={set('domain')} autoComplete="off" maxLength={200} />
      </FormField>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="new-company-industry" label="Industry" error={errors.industry}>
          <Input value={values.industry} onChange={set('industry')} autoComplete="off" maxLength={100} />
        </FormField>
        <FormField id="new-company-website" label="Website" error={errors.website}>
          <Input
            type="url"
            value={values.website}
            onChange={set('website')}
            autoComplete="off"
            maxLength={300}
          />
        </FormField>
      </div>
      <DialogFooter>
        <Button variant="secondary" onClick={() => onDone()} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" loading={create.isPending}>
          Add company
        </Button>
      </DialogFooter>
    </form>
  );
}

export function NewCompanyDialog({
  orgId,
  disabled,
  onCreated,
}: {
  orgId: string;
  disabled?: boolean;
  onCreated?: (company: Company) => void;
}) {
  const [open, setOpen] = React.useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button disabled={disabled}>
          <Plus aria-hidden="true" />
          New company
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New company</DialogTitle>
          <DialogDescription>Link contacts to it from their pages or when you add them.</DialogDescription>
        </DialogHeader>
        {open ? (
          <NewCompanyForm
            orgId={orgId}
            onDone={(company) => {
              setOpen(false);
              if (company) onCreated?.(company);
            }}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
