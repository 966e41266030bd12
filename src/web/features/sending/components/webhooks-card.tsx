import { Check, Copy, Link2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ErrorState } from '@/components/ui/error-state';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { PasswordInput } from '@/components/ui/password-input';
import { Skeleton } from '@/components/ui/skeleton';
import { Textarea } from '@/components/ui/textarea';
import { ApiError, errorMessage } from '@/lib/api';
import { useDeleteWebhook } from '../api/delete-webhook';
import { type EmailProvider, type ProviderWebhook, useWebhooks } from '../api/list-webhooks';
import { useSaveWebhook } from '../api/save-webhook';

/** What each provider calls things, and where its settings are. */
const PROVIDERS: Record<
  EmailProvider,
  { name: string; where: string; secretLabel?: string; secretHint?: string; multiline?: boolean }
> = {
  ses: {
    name: 'Amazon SES',
    where:
      'In Amazon SNS, create an HTTPS subscription with this URL on the topic your SES configuration set publishes bounces, complaints and deliveries to. Moxora confirms the subscription itself.',
  },
  postmark: {
    name: 'Postmark',
    where:
      'In your Postmark server, Webhooks → Add webhook: paste this URL, turn on Basic auth with the user name and password below, and choose the events.',
    secretLabel: 'Basic auth password',
    secretHint: 'Choose one and enter the same in Postmark.',
  },
  sendgrid: {
    name: 'SendGrid',
    where:
      'In SendGrid, Settings → Mail Settings → Event Webhook: paste this URL, turn on Signed Event Webhook, and copy the verification key here.',
    secretLabel: 'Verification key',
    secretHint: 'The public key SendGrid shows once signing is on.',
    multiline: true,
  },
  mailgun: {
    name: 'Mailgun',
    where: 'In Mailgun, Sending → Webhooks: add this URL for the events you want.',
    secretLabel: 'HTTP webhook signing key',
    secretHint: 'Mailgun shows it on the same Webhooks page.',
  },
  resend: {
    name: 'Resend',
    where: 'In Resend, Webhooks → Add endpoint: paste this URL and choose the email events.',
    secretLabel: 'Signing secret',
    secretHint: 'Starts with whsec_; Resend shows it on the endpoint’s page.',
  },
};

function CopyUrl({ url }: { url: string }) {
  const [copied, setCopied] = React.useState(false);
  const onCopy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      toast.error('Could not copy: select the address and copy it yourself.');
    }
  };
  return (
    <div className="flex gap-2">
      <Input
        readOnly
        value={url}
        aria-label="Webhook URL"
        className="font-mono text-xs"
        onFocus={(e) => e.currentTarget.select()}
      />
      <Button variant="secondary" onClick={() => void onCopy()} aria-label="Copy webhook URL">
        {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </div>
  );
}

function ProviderForm({
  orgId,
  item,
  canWrite,
}: {
  orgId: string;
  item: ProviderWebhook;
  canWrite: boolean;
}) {
  const info = PROVIDERS[item.provider];
  const save = useSaveWebhook(orgId);
  const remove = useDeleteWebhook(orgId);
  const config = item.config as { topicArns?: string[]; username?: string };
  const [secret, setSecret] = React.useState('');
  const [topics, setTopics] = React.useState((config.topicArns ?? []).join('\n'));
  const [username, setUsername] = React.useState(config.username ?? '');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [removing, setRemoving] = React.useState(false);

  const onError = (e: unknown) => {
    if (e instanceof ApiError && Object.keys(e.fieldErrors()).length > 0) {
      const f = e.fieldErrors();
      setErrors({
        secret: f.secret ?? '',
        topicArns: f['config.topicArns'] ?? f.config ?? '',
        username: f['config.username'] ?? '',
      });
    } else toast.error(`Could not save the ${info.name} webhook`, { description: errorMessage(e) });
  };

  const onCreate = () => save.mutate({ provider: item.provider }, { onError });

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setErrors({});
    const body: { secret?: string; config?: Record<string, unknown> } = {};
    if (secret.trim()) body.secret = secret.trim();
    if (item.provider === 'ses') {
      const list = topics
        .split(/[\s,]+/)
        .map((t) => t.trim())
        .filter(Boolean);
      if (list.length === 0) {
        setErrors({ topicArns: 'Enter at least one SNS topic ARN.' });
        return;
      }
      body.config = { topicArns: list };
    }
    if (item.provider === 'postmark') {
      if (!username.trim()) {
        setErrors({ username: 'Enter the user name you set in Postmark.' });
        return;
      }
      body.config = { username: username.trim() };
    }
    if (!body.secret && !body.config) {
      setErrors({ secret: `Enter the ${info.secretLabel?.toLowerCase() ?? 'secret'}.` });
      return;
    }
    save.mutate(
      { provider: item.provider, ...body },
      {
        onSuccess: () => {
          setSecret('');
          toast.success(`${info.name} webhook saved`);
        },
        onError,
      },
    );
  };

  const onRemove = () =>
    remove.mutate(
      { provider: item.provider },
      {
        onSuccess: () => toast.success(`${info.name} webhook removed`),
        onError: (e) =>
          toast.error(`Could not remove the ${info.name} webhook`, { description: errorMessage(e) }),
        onSettled: () => setRemoving(false),
      },
    );

  return (
    <section
      aria-labelledby={`webhook-${item.provider}`}
      className="grid gap-4 border-t border-border py-5 first:border-t-0 first:pt-0"
    >
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={`webhook-${item.provider}`} className="text-sm font-semibold">
          {info.name}
        </h3>
        {item.configured ? (
          <Badge variant="success">Receiving events</Badge>
        ) : item.url ? (
          <Badge variant="warning">{item.provider === 'ses' ? 'Needs its topics' : 'Needs its secret'}</Badge>
        ) : (
          <Badge>Not set up</Badge>
        )}
      </div>
      {item.url === null ? (
        <div className="flex flex-wrap items-center gap-3">
          <p className="text-sm text-muted-foreground">
            Sending through {info.name}? Get the address it reports bounces, complaints and deliveries to.
          </p>
          <Button
            variant="secondary"
            size="sm"
            onClick={onCreate}
            loading={save.isPending}
            disabled={!canWrite}
          >
            <Link2 aria-hidden="true" />
            Get webhook URL
          </Button>
        </div>
      ) : (
        <form noValidate onSubmit={onSubmit} className="grid gap-4">
          <div className="grid gap-2">
            <CopyUrl url={item.url} />
            <p className="text-[0.8125rem] text-muted-foreground">{info.where}</p>
          </div>
          {item.provider === 'ses' ? (
            <FormField
              id={`webhook-${item.provider}-topics`}
              label="SNS topic ARNs"
              error={errors.topicArns || undefined}
              hint="One per line. Messages from other topics are refused."
            >
              <Textarea
                value={topics}
                onChange={(e) => setTopics(e.target.value)}
                rows={2}
                placeholder="arn:aws:sns:eu-west-1:123456789012:ses-events"
                className="font-mono text-xs"
                disabled={!canWrite}
              />
            </FormField>
          ) : null}
          {item.provider === 'postmark' ? (
            <FormField
              id={`webhook-${item.provider}-username`}
              label="Basic auth user name"
              error={errors.username || undefined}
            >
              <Input
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                autoComplete="off"
                disabled={!canWrite}
              />
            </FormField>
          ) : null}
          {info.secretLabel ? (
            <FormField
              id={`webhook-${item.provider}-secret`}
              label={info.secretLabel}
              error={errors.secret || undefined}
              hint={item.configured ? 'Stored encrypted. Enter a new one to replace it.' : info.secretHint}
            >
              {info.multiline ? (
                <Textarea
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                  rows={3}
                  className="font-mono text-xs"
                  placeholder={item.configured ? '•••••• stored' : ''}
                  disabled={!canWrite}
                />
              ) : (
                <PasswordInput
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                  autoComplete="new-password"
                  placeholder={item.configured ? '•••••• stored' : ''}
                  disabled={!canWrite}
                />
              )}
            </FormField>
          ) : null}
          <div className="flex flex-wrap justify-end gap-3">
            <Button
              variant="destructive-ghost"
              onClick={() => setRemoving(true)}
              disabled={!canWrite}
              className="mr-auto"
            >
              Remove
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!canWrite}>
              Save
            </Button>
          </div>
        </form>
      )}
      <ConfirmDialog
        open={removing}
        onOpenChange={setRemoving}
        title={`Remove the ${info.name} webhook?`}
        description={`Its URL stops working and its secret is deleted: ${info.name} events (bounces, complaints, deliveries) no longer reach Moxora.`}
        confirmLabel="Remove webhook"
        onConfirm={onRemove}
        pending={remove.isPending}
      />
    </section>
  );
}

/** Where each email provider posts its delivery events, and the secrets that prove it is them. */
export function WebhooksCard({
  orgId,
  canWrite,
  cannot,
}: {
  orgId: string;
  canWrite: boolean;
  cannot?: string;
}) {
  const webhooks = useWebhooks(orgId);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Provider webhooks</CardTitle>
        <CardDescription>
          Sending through an email provider? Let it tell Moxora about deliveries, bounces and complaints:
          bounced and complaining addresses are then suppressed automatically.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {cannot ? <p className="mb-4 text-[0.8125rem] text-muted-foreground">{cannot}</p> : null}
        {webhooks.isPending ? (
          <div className="grid gap-3" role="status" aria-label="Loading provider webhooks">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} className="h-6 w-72" />
            ))}
          </div>
        ) : webhooks.isError ? (
          <ErrorState
            title="Could not load the provider webhooks"
            error={webhooks.error}
            onRetry={() => void webhooks.refetch()}
          />
        ) : (
          webhooks.data.map((item) => (
            <ProviderForm
              key={`${item.provider}:${item.url ?? ''}`}
              orgId={orgId}
              item={item}
              canWrite={canWrite}
            />
          ))
        )}
      </CardContent>
    </Card>
  );
}
