import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Textarea } from '@/components/ui/textarea';
import { ApiError, errorMessage } from '@/lib/api';
import type { Sending } from '../api/get-sending';
import { useUpdateSending } from '../api/update-sending';

/** Every IANA zone the browser knows, UTC first (and the stored one, should the browser lack it). */
function timeZones(current: string): string[] {
  const all =
    (Intl as { supportedValuesOf?: (key: 'timeZone') => string[] }).supportedValuesOf?.('timeZone') ?? [];
  const zones = ['UTC', ...all.filter((z) => z !== 'UTC')];
  if (current && !zones.includes(current)) zones.splice(1, 0, current);
  return zones;
}

/** The postal address of marketing footers, the time zone of schedules, and the throttle. */
export function FooterScheduleCard({
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
  const [postalAddress, setPostalAddress] = React.useState(sending.postalAddress);
  const [timeZone, setTimeZone] = React.useState(sending.timeZone);
  const [throttle, setThrottle] = React.useState(String(sending.throttlePerSecond));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const zones = React.useMemo(() => timeZones(sending.timeZone), [sending.timeZone]);
  const dirty =
    postalAddress !== sending.postalAddress ||
    timeZone !== sending.timeZone ||
    throttle !== String(sending.throttlePerSecond);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const n = Number(throttle);
    const next: Record<string, string> = {};
    if (!postalAddress.trim())
      next.postalAddress = 'Enter the postal address: it is required in marketing email.';
    if (!Number.isInteger(n) || n < 1 || n > 10000)
      next.throttlePerSecond = 'Enter a whole number from 1 to 10,000.';
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    update.mutate(
      { postalAddress: postalAddress.trim(), timeZone, throttlePerSecond: n },
      {
        onSuccess: (saved) => {
          setPostalAddress(saved.postalAddress);
          toast.success('Footer and schedule saved');
        },
        onError: (e) => {
          if (e instanceof ApiError && Object.keys(e.fieldErrors()).length > 0) setErrors(e.fieldErrors());
          else toast.error('Could not save', { description: errorMessage(e) });
        },
      },
    );
  };

  return (
    <Card>
      <form noValidate onSubmit={onSubmit}>
        <CardHeader>
          <CardTitle>Footer &amp; schedule</CardTitle>
          <CardDescription>
            What every marketing email says about you, and when and how fast campaigns go out.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5">
          <FormField
            id="sending-postal-address"
            label="Postal address"
            error={errors.postalAddress}
            hint="Goes in the footer of every marketing email, as anti-spam laws (CAN-SPAM, GDPR) require. Campaigns cannot be sent without it."
          >
            <Textarea
              value={postalAddress}
              onChange={(e) => setPostalAddress(e.target.value)}
              rows={3}
              maxLength={1000}
              placeholder={'Acme Ltd\n1 Main Street\nSpringfield 12345, Country'}
              disabled={!canWrite}
            />
          </FormField>
          <div className="grid gap-5 sm:grid-cols-2">
            <FormField
              id="sending-time-zone"
              label="Time zone"
              error={errors.timeZone}
              hint="Scheduled campaigns go out at this zone’s local time."
            >
              <Select value={timeZone} onValueChange={setTimeZone} disabled={!canWrite}>
                <SelectTrigger id="sending-time-zone" aria-invalid={errors.timeZone ? true : undefined}>
                  <SelectValue placeholder="Choose a time zone" />
                </SelectTrigger>
                <SelectContent className="max-h-80">
                  {zones.map((z) => (
                    <SelectItem key={z} value={z}>
                      {z.replaceAll('_', ' ')}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </FormField>
            <FormField
              id="sending-throttle"
              label="Messages per second"
              error={errors.throttlePerSecond}
              hint="The most campaign messages sent per second. Lower it if your provider limits your rate."
            >
              <Input
                type="number"
                inputMode="numeric"
                min={1}
                max={10000}
                step={1}
                value={throttle}
                onChange={(e) => setThrottle(e.target.value)}
                disabled={!canWrite}
              />
            </FormField>
          </div>
        </CardContent>
        <CardFooter className="justify-end gap-3">
          {cannot ? <p className="mr-auto text-[0.8125rem] text-muted-foreground">{cannot}</p> : null}
          <Button type="submit" loading={update.isPending} disabled={!canWrite || !dirty}>
            Save
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
