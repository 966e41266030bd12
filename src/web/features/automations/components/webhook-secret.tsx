import { Copy, KeyRound } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/api';
import { useWebhookSecret } from '../api/webhook-secret';

/** The organisation's signing secret for outgoing webhooks, shown on request. */
export function WebhookSecret({ orgId, disabled }: { orgId: string; disabled: boolean }) {
  const [shown, setShown] = React.useState(false);
  const secret = useWebhookSecret(orgId, shown);
  if (!shown) {
    return (
      <Button
        variant="ghost"
        size="sm"
        className="justify-self-start"
        disabled={disabled}
        onClick={() => setShown(true)}
      >
        <KeyRound aria-hidden="true" />
        Show signing secret
      </Button>
    );
  }
  return (
    <div className="grid gap-1.5 rounded-md border border-border bg-subtle p-2.5 text-[0.8125rem]">
      <span className="font-medium">Signing secret (Standard Webhooks)</span>
      {secret.isError ? (
        <span className="text-destructive">{errorMessage(secret.error)}</span>
      ) : (
        <div className="flex items-center gap-2">
          <code className="min-w-0 flex-1 truncate font-mono text-xs" data-testid="webhook-secret">
            {secret.data?.secret ?? 'Loading…'}
          </code>
          <Button
            variant="ghost"
            size="icon"
            aria-label="Copy signing secret"
            disabled={!secret.data}
            onClick={() =>
              void navigator.clipboard
                .writeText(secret.data?.secret ?? '')
                .then(() => toast.success('Secret copied'))
                .catch(() => toast.error('Could not copy the secret'))
            }
          >
            <Copy aria-hidden="true" />
          </Button>
        </div>
      )}
      <span className="text-muted-foreground">
        Receivers check the webhook-signature header with it; one secret for the whole organisation.
      </span>
    </div>
  );
}
