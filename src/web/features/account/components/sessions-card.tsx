import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { type AccountSession, useRevokeOtherSessions, useRevokeSession, useSessions } from '../api/sessions';

/** A short device name from a user agent ("Chrome on Linux"); the full string is in the title. */
export function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\/|Chromium\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : undefined;
  const os = /iPhone|iPad/.test(userAgent)
    ? 'iOS'
    : /Android/.test(userAgent)
      ? 'Android'
      : /Mac OS X|Macintosh/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? userAgent.slice(0, 40);
}

const when = (d: string) =>
  new Date(d).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The user's sessions, with sign-out of one or of all the others. */
export function SessionsCard() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();
  const items: AccountSession[] = sessions.data?.items ?? [];
  const others = items.filter((s) => !s.current).length;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Where you are signed in</CardTitle>
        <CardDescription>
          Sign out a device you do not recognise or no longer use: it has to sign in again.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {sessions.isPending ? <Skeleton className="h-24" /> : null}
        {sessions.isError ? <Alert variant="error">{errorMessage(sessions.error)}</Alert> : null}
        {items.length > 0 ? (
          <Table aria-label="Sessions">
            <TableHeader>
              <TableRow>
                <TableHead>Device</TableHead>
                <TableHead>Address</TableHead>
                <TableHead>Signed in</TableHead>
                <TableHead>Last active</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((s) => (
                <TableRow key={s.id}>
                  <TableCell title={s.userAgent ?? undefined}>
                    <span className="font-medium">{deviceOf(s.userAgent)}</span>
                    {s.current ? (
                      <Badge variant="accent" className="ml-2">
                        This session
                      </Badge>
                    ) : null}
                  </TableCell>
                  <TableCell className="font-mono text-xs">{s.ipAddress || '—'}</TableCell>
                  <TableCell>{when(s.createdAt)}</TableCell>
                  <TableCell>{when(s.lastActiveAt)}</TableCell>
                  <TableCell className="text-right">
                    {s.current ? null : (
                      <Button
                        type="button"
                        size="sm"
                        variant="destructive-ghost"
                        aria-label={`Sign out ${deviceOf(s.userAgent)} (${s.ipAddress ?? 'unknown address'})`}
                        loading={revoke.isPending && revoke.variables === s.id}
                        onClick={() =>
                          revoke.mutate(s.id, {
                            onSuccess: () => toast.success('Session signed out'),
                            onError: (e) => toast.error(errorMessage(e)),
                          })
                        }
                      >
                        Sign out
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : null}
        {others > 0 ? (
          <div>
            <Button
              type="button"
              variant="secondary"
              loading={revokeOthers.isPending}
              onClick={() =>
                revokeOthers.mutate(undefined, {
                  onSuccess: (r) =>
                    toast.success(`Signed out ${r.revoked} other session${r.revoked === 1 ? '' : 's'}`),
                  onError: (e) => toast.error(errorMessage(e)),
                })
              }
            >
              Sign out all other sessions
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
