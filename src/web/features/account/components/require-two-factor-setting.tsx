import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { Switch } from '@/components/ui/switch';
import { errorMessage } from '@/lib/api';
import { useSecurityPolicy, useUpdateSecurityPolicy } from '../api/organization-security';

/** Owner setting: "Require two-factor sign-in for every member" (others see it read-only). */
export function RequireTwoFactorSetting({ orgId, isOwner }: { orgId: string; isOwner: boolean }) {
  const policy = useSecurityPolicy(orgId);
  const update = useUpdateSecurityPolicy(orgId);
  const on = policy.data?.requireTwoFactor ?? false;
  const without = policy.data?.membersWithoutTwoFactor ?? 0;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sign-in security</CardTitle>
        <CardDescription>
          Members without two-factor sign-in are sent to set it up before they can use this organisation. API
          keys are not affected.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {policy.isError ? <Alert variant="error">{errorMessage(policy.error)}</Alert> : null}
        <div className="flex items-center gap-3">
          <Switch
            id="require-two-factor"
            checked={on}
            disabled={!isOwner || policy.isPending || update.isPending}
            onCheckedChange={(value) =>
              update.mutate(value, {
                onSuccess: () =>
                  toast.success(
                    value ? 'Two-factor sign-in is now required' : 'Two-factor sign-in is optional',
                  ),
                onError: (e) => toast.error(errorMessage(e)),
              })
            }
          />
          <Label htmlFor="require-two-factor">Require two-factor sign-in for every member</Label>
        </div>
        {policy.data && without > 0 ? (
          <p className="text-sm text-muted-foreground">
            {without} member{without === 1 ? ' has' : 's have'} not set up two-factor sign-in yet
            {on ? ' and will be asked to before continuing.' : '.'}
          </p>
        ) : null}
        {!isOwner ? <p className="text-sm text-muted-foreground">Only owners can change this.</p> : null}
      </CardContent>
    </Card>
  );
}
