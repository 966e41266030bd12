import { CircleAlert, CircleCheck, PlugZap } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { PasswordInput } from '@/components/ui/password-input';
import { Switch } from '@/components/ui/switch';
import { ApiError, errorMessage } from '@/lib/api';
import type { Sending } from '../api/get-sending';
import { useUpdateSending } from '../api/update-sending';
import { type SmtpCheck, useVerifySmtp } from '../api/verify-smtp';

const MODES: Record<Sending['delivery'], { label: string; text: string }> = {
  'organization-smtp': {
    label: 'Your SMTP server',
    text: 'Mail goes out through the SMTP server below.',
  },
  'instance-smtp': {
    label: 'This installation’s SMTP server',
    text: 'Mail goes out through the SMTP server the administrator of this Moxora installation configured. Add your own below to send through your provider instead.',
  },
  outbox: {
    label: 'Local outbox (not delivered)',
    text: 'No SMTP server is set up: messages are saved as files on the Moxora server and nobody receives them. Add your provider’s SMTP server below to deliver mail.',
  },
};

interface Form {
  host: string;
  port: string;
  secure: boolean;
  user: string;
  password: string;
}

const formOf = (smtp: Sending['smtp']): Form => ({
  host: smtp?.host ?? '',
  port: String(smtp?.port ?? 587),
  secure: smtp?.secure ?? false,
  user: smtp?.user ?? '',
  password: '',
});

/** How mail is delivered, and the organisation's own SMTP server (test, save, remove). */
export function DeliveryCard({
  orgId,
  sending,
  canWrite,
  cannot,
}: {
  orgId: string;
  sending: Sending;
  canWrite: boolean;
  cannot?: string;
}) {
  const update = useUpdateSending(orgId);
  const verify = useVerifySmtp();
  const [form, setForm] = React.useState<Form>(() => formOf(sending.smtp));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [check, setCheck] = React.useState<SmtpCheck>();
  const [removing, setRemoving] = React.useState(false);
  const stored = sending.smtp;
  const mode = MODES[sending.delivery];
  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setCheck(undefined);
  };

  /** The form as the API takes it; undefined (with errors shown) when it is not valid. */
  const smtpInput = () => {
    const next: Record<string, string> = {};
    const port = Number(form.port);
    if (!form.host.trim()) next['smtp.host'] = 'Enter the server name, e.g. smtp.example.com.';
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      next['smtp.port'] = 'Enter a port from 1 to 65535.';
    setErrors(next);
    if (Object.keys(next).length > 0) return undefined;
    return {
      host: form.host.trim(),
      port,
      secure: form.secure,
      user: form.user.trim() || null,
      // Empty: keep the stored password (the server refuses that for another server or user).
      ...(form.password ? { password: form.password } : {}),
    };
  };

  const onError = (e: unknown, what: string) => {
    if (e instanceof ApiError && Object.keys(e.fieldErrors()).length > 0) setErrors(e.fieldErrors());
    else toast.error(what, { description: errorMessage(e) });
  };

  const onTest = () => {
    const smtp = smtpInput();
    if (!smtp) return;
    setCheck(undefined);
    verify.mutate({ smtp }, { onSuccess: setCheck, onError: (e) => onError(e, 'Could not test the server') });
  };

  const onSave = (event: React.FormEvent) => {
    event.preventDefault();
    const smtp = smtpInput();
    if (!smtp) return;
    update.mutate(
      { smtp },
      {
        onSuccess: (saved) => {
          setForm(formOf(saved.smtp));
          toast.success('SMTP server saved');
        },
        onError: (e) => onError(e, 'Could not save the SMTP server'),
      },
    );
  };

  const onRemove = () =>
    update.mutate(
      { smtp: null },
      {
        onSuccess: (saved) => {
          setForm(formOf(saved.smtp));
          setCheck(undefined);
          toast.success('SMTP server removed');
        },
        onError: (e) => toast.error('Could not remove the SMTP server', { description: errorMessage(e) }),
        onSettled: () => setRemoving(false),
      },
    );

  const disabled = !canWrite;
  return (
    <Card>
      <form noValidate onSubmit={onSave}>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            Delivery <DeliveryStatusBadge delivery={sending.delivery} />
          </CardTitle>
          <CardDescription>How Moxora hands your email to the internet.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5">
          <Alert variant={sending.delivery === 'outbox' ? 'warning' : 'info'} title={`Now: ${mode.label}`}>
            {mode.text}
          </Alert>
          <div className="grid gap-5 sm:grid-cols-[1fr_8rem]">
            <FormField id="smtp-host" label="SMTP server" error={errors['smtp.host']}>
              <Input
                value={form.host}
                onChange={(e) => set({ host: e.target.value })}
                placeholder="smtp.example.com"
                autoComplete="off"
                disabled={disabled}
              />
            </FormField>
            <FormField id="smtp-port" label="Port" error={errors['smtp.port']}>
              <Input
                type="number"
                inputMode="numeric"
                min={1}
                max={65535}
                value={form.port}
                onChange={(e) => set({ port: e.target.value })}
                disabled={disabled}
              />
            </FormField>
          </div>
          <div className="flex items-start gap-3">
            <Switch
              id="smtp-secure"
              checked={form.secure}
              disabled={disabled}
              onCheckedChange={(secure) =>
                set({
                  secure,
                  // The usual ports follow the switch; a custom port stays.
                  ...(form.port === '587' && secure ? { port: '465' } : {}),
                  ...(form.port === '465' && !secure ? { port: '587' } : {}),
                })
              }
            />
            <div className="grid gap-1">
              <Label htmlFor="smtp-secure">TLS from the start</Label>
              <p className="text-[0.8125rem] text-muted-foreground">
                On for port 465. Off for port 587 or 25, where the connection is upgraded with STARTTLS when
                the server offers it.
              </p>
            </div>
          </div>
          <div className="grid gap-5 sm:grid-cols-2">
            <FormField
              id="smtp-user"
              label="User name"
              error={errors['smtp.user']}
              hint="Leave empty if the server needs no login."
            >
              <Input
                value={form.user}
                onChange={(e) => set({ user: e.target.value })}
                autoComplete="off"
                disabled={disabled}
              />
            </FormField>
            <FormField
              id="smtp-password"
              label="Password"
              error={errors['smtp.password']}
              hint={
                stored?.passwordSet
                  ? 'Stored encrypted. Leave empty to keep it.'
                  : 'Stored encrypted; never shown again.'
              }
            >
              <PasswordInput
                value={form.password}
                onChange={(e) => set({ password: e.target.value })}
                placeholder={stored?.passwordSet ? '•••••• stored' : ''}
                autoComplete="new-password"
                disabled={disabled || !form.user.trim()}
              />
            </FormField>
          </div>
          {check ? (
            check.ok ? (
              <Alert variant="success" title="Connection works">
                The server accepted the connection{form.user.trim() ? ' and the login' : ''}.
              </Alert>
            ) : (
              <Alert variant="error" title="Connection failed">
                {check.error}
              </Alert>
            )
          ) : null}
        </CardContent>
        <CardFooter className="flex-wrap justify-end gap-3">
          {cannot ? <p className="mr-auto text-[0.8125rem] text-muted-foreground">{cannot}</p> : null}
          {stored ? (
            <Button
              variant="destructive-ghost"
              onClick={() => setRemoving(true)}
              disabled={disabled || update.isPending}
              className="mr-auto"
            >
              Remove
            </Button>
          ) : null}
          <Button variant="secondary" onClick={onTest} loading={verify.isPending} disabled={disabled}>
            <PlugZap aria-hidden="true" />
            Test connection
          </Button>
          <Button type="submit" loading={update.isPending && !removing} disabled={disabled}>
            Save
          </Button>
        </CardFooter>
      </form>
      <ConfirmDialog
        open={removing}
        onOpenChange={setRemoving}
        title="Remove your SMTP server?"
        description={
          'Its settings and stored password are deleted. Mail then goes out through this installation’s SMTP server, or is only saved to the local outbox if there is none.'
        }
        confirmLabel="Remove SMTP server"
        onConfirm={onRemove}
        pending={update.isPending}
      />
    </Card>
  );
}

function DeliveryStatusBadge({ delivery }: { delivery: Sending['delivery'] }) {
  return delivery === 'outbox' ? (
    <Badge variant="warning">
      <CircleAlert aria-hidden="true" className="size-3" />
      Not delivered
    </Badge>
  ) : (
    <Badge variant="success">
      <CircleCheck aria-hidden="true" className="size-3" />
      Delivering
    </Badge>
  );
}
