import { API_KEY_SCOPES, type ApiKeyScope } from '@common/contacts';
import { Check, Copy, KeyRound } from 'lucide-react';
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
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { ApiError, errorMessage } from '@/lib/api';
import { type CreatedApiKey, useCreateApiKey } from '../api/create-api-key';

export const SCOPE_LABELS: Record<ApiKeyScope, string> = { read: 'Read only', read_write: 'Read and write' };
const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  read: 'Can list and read contacts, companies and settings',
  read_write: 'Can also create, change and delete',
};

function SecretView({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const [copied, setCopied] = React.useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
      toast.success('API key copied');
    } catch {
      toast.error('Could not copy. Select the key and copy it yourself.');
    }
  };
  return (
    <div className="grid gap-5">
      <Alert variant="warning" title="Copy this key now">
        It will not be shown again. Store it somewhere safe, such as a password manager or your server’s
        secrets.
      </Alert>
      <div className="grid gap-2">
        <span className="text-sm leading-none font-medium">Your new key “{created.name}”</span>
        <div className="flex items-center gap-2">
          <Input
            readOnly
            value={created.key}
            aria-label="API key"
            data-testid="api-key-secret"
            className="font-mono text-[0.8125rem]"
            onFocus={(e) => e.currentTarget.select()}
          />
          <Button variant="secondary" onClick={() => void copy()} aria-label="Copy API key">
            {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
            {copied ? 'Copied' : 'Copy'}
          </Button>
        </div>
      </div>
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </div>
  );
}

function CreateForm({
  orgId,
  onCreated,
  onCancel,
}: {
  orgId: string;
  onCreated: (k: CreatedApiKey) => void;
  onCancel: () => void;
}) {
  const create = useCreateApiKey(orgId);
  const [name, setName] = React.useState('');
  const [scope, setScope] = React.useState<ApiKeyScope>('read');
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();
  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    if (!name.trim()) {
      setError('Name the key after what will use it.');
      return;
    }
    setError(undefined);
    create.mutate(
      { name: name.trim(), scope },
      {
        onSuccess: onCreated,
        onError: (e) => {
          const field = e instanceof ApiError ? e.fieldErrors().name : undefined;
          if (field) setError(field);
          else setFormError(errorMessage(e));
        },
      },
    );
  };
  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      <FormField id="api-key-name" label="Name" error={error} hint="e.g. “Website sign-up form” or “Zapier”.">
        <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} autoComplete="off" />
      </FormField>
      <FormField id="api-key-scope" label="Access">
        <Select value={scope} onValueChange={(v) => setScope(v as ApiKeyScope)}>
          <SelectTrigger id="api-key-scope">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {API_KEY_SCOPES.map((s) => (
              <SelectItem key={s} value={s} description={SCOPE_DESCRIPTIONS[s]}>
                {SCOPE_LABELS[s]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </FormField>
      <DialogFooter>
        <Button variant="secondary" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" loading={create.isPending}>
          Create key
        </Button>
      </DialogFooter>
    </form>
  );
}

export function CreateApiKeyDialog({ orgId, disabled }: { orgId: string; disabled?: boolean }) {
  const [open, setOpen] = React.useState(false);
  const [created, setCreated] = React.useState<CreatedApiKey>();
  const close = () => {
    setOpen(false);
    setCreated(undefined);
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        // Once the secret is shown, only "Done" closes, so it is not dismissed by accident.
        if (!next && created) return;
        setOpen(next);
      }}
    >
      <DialogTrigger asChild>
        <Button disabled={disabled}>
          <KeyRound aria-hidden="true" />
          Create API key
        </Button>
      </DialogTrigger>
      <DialogContent hideClose={created !== undefined}>
        <DialogHeader>
          <DialogTitle>{created ? 'API key created' : 'Create an API key'}</DialogTitle>
          <DialogDescription>
            {created
              ? 'Send it in the Authorization header: “Bearer <key>”.'
              : 'Keys let other systems use the Moxora API on behalf of this organisation.'}
          </DialogDescription>
        </DialogHeader>
        {created ? (
          <SecretView created={created} onDone={close} />
        ) : open ? (
          <CreateForm orgId={orgId} onCreated={setCreated} onCancel={close} />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
