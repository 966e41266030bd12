import { Alert } from '@/components/ui/alert';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { useCan, useDisabledReason, useMe } from '@/lib/session';
import { useSending } from '../api/get-sending';
import { DeliveryCard } from './delivery-card';
import { FooterScheduleCard } from './footer-schedule-card';
import { SendersCard } from './senders-card';
import { WebhooksCard } from './webhooks-card';

const MISSING: Record<string, string> = {
  sender: 'a sender',
  postalAddress: 'your postal address',
};

/** Settings → Sending: senders, footer and schedule, delivery, provider webhooks. */
export function SendingSettings() {
  const orgId = useMe().activeOrganization!.id;
  const canWrite = useCan('settings:write');
  const cannot = useDisabledReason('settings:write', 'change the sending settings');
  const sending = useSending(orgId);

  if (sending.isPending) {
    return (
      <div className="grid gap-6" role="status" aria-label="Loading sending settings">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} className="h-40 w-full" />
        ))}
      </div>
    );
  }
  if (sending.isError) {
    return (
      <ErrorState
        title="Could not load the sending settings"
        error={sending.error}
        onRetry={() => void sending.refetch()}
      />
    );
  }
  const s = sending.data;
  const missing = s.missing.map((m) => MISSING[m] ?? m);
  return (
    <div className="grid gap-6">
      {!s.ready ? (
        <Alert variant="warning" title="Add a sender and your postal address before sending campaigns">
          Still missing: {missing.join(' and ')}.{canWrite ? null : ' Ask an admin or owner to add it.'}
        </Alert>
      ) : null}
      <SendersCard orgId={orgId} canWrite={canWrite} cannot={cannot} />
      <FooterScheduleCard
        key={`${s.postalAddress}|${s.timeZone}|${s.throttlePerSecond}`}
        orgId={orgId}
        sending={s}
        canWrite={canWrite}
        cannot={cannot}
      />
      <DeliveryCard
        key={JSON.stringify(s.smtp)}
        orgId={orgId}
        sending={s}
        canWrite={canWrite}
        cannot={cannot}
      />
      <WebhooksCard orgId={orgId} canWrite={canWrite} cannot={cannot} />
    </div>
  );
}
