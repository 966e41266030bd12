import { assignableRoles, type Role } from '@common/permissions';
import { Link } from '@tanstack/react-router';
import { Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Avatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { roleLabel } from '@/lib/roles';
import { useMe } from '@/lib/session';
import { formatDate } from '@/lib/utils';
import { type Member, useMembers } from '../api/list-members';
import { useRemoveMember } from '../api/remove-member';
import { useUpdateMemberRole } from '../api/update-member-role';
import { RoleSelect } from './role-select';

function MembersSkeleton() {
  return (
    <div className="grid gap-4 p-4" role="status" aria-label="Loading members">
      {[0, 1, 2].map((i) => (
        <div key={i} className="flex items-center gap-3">
          <Skeleton className="size-8 rounded-full" />
          <div className="grid flex-1 gap-1.5">
            <Skeleton className="h-3.5 w-40" />
            <Skeleton className="h-3 w-56" />
          </div>
          <Skeleton className="h-8 w-28" />
        </div>
      ))}
    </div>
  );
}

/** What removing a member does to the API keys that belong to them (they stop working). */
function KeysOfRemovedMember({ name, count }: { name: string; count: number | undefined }) {
  if (count === 0) return null;
  const keys =
    count === undefined
      ? 'API keys that belong to them'
      : count === 1
        ? 'Their API key'
        : `Their ${count} API keys`;
  return (
    <span className="mt-2 block" data-testid="remove-member-keys">
      {keys} will stop working too.{' '}
      <Link to="/settings/api-keys" className="font-medium text-accent underline-offset-4 hover:underline">
        Move {count === 1 ? 'it' : 'them'} to another member
      </Link>{' '}
      first to keep {count === 1 ? 'it' : 'them'} working after {name} leaves.
    </span>
  );
}

/**
 * The organisation's members: change roles, remove. `apiKeysOf(userId)` counts the live API keys that
 * belong to a member (undefined when the viewer cannot see keys), for the removal warning; the route
 * fills it in from the api-keys feature, and `onRemoved` refreshes what a removal changes there.
 */
export function MembersTable({
  apiKeysOf,
  onRemoved,
}: {
  apiKeysOf?: (userId: string) => number | undefined;
  onRemoved?: () => void;
} = {}) {
  const me = useMe();
  const org = me.activeOrganization!;
  const members = useMembers(org.id);
  const updateRole = useUpdateMemberRole(org.id);
  const remove = useRemoveMember(org.id);
  const [toRemove, setToRemove] = React.useState<Member>();

  const canUpdate = me.permissions.includes('members:update');
  const canRemove = me.permissions.includes('members:remove');
  const assignable = assignableRoles(org.role);

  const onRoleChange = (member: Member, role: Role) => {
    if (role === member.role) return;
    updateRole.mutate(
      { id: member.id, role },
      {
        onSuccess: () => toast.success(`${member.name} is now ${roleLabel(role).toLowerCase()}`),
        onError: (error) => toast.error('Could not change the role', { description: errorMessage(error) }),
      },
    );
  };

  const onConfirmRemove = () => {
    if (!toRemove) return;
    const member = toRemove;
    remove.mutate(
      { id: member.id },
      {
        onSuccess: () => {
          toast.success(`Removed ${member.name}`, {
            description: `They no longer have access to ${org.name}.`,
          });
          setToRemove(undefined);
          onRemoved?.();
        },
        onError: (error) => {
          toast.error(`Could not remove ${member.name}`, { description: errorMessage(error) });
          setToRemove(undefined);
        },
      },
    );
  };

  const count = members.data?.length;

  return (
    <Card>
      <CardHeader className="pb-4">
        <CardTitle>
          Members{' '}
          {count !== undefined ? <span className="font-normal text-muted-foreground">({count})</span> : null}
        </CardTitle>
        <CardDescription>Everyone with access to this organisation.</CardDescription>
      </CardHeader>
      {members.isPending ? (
        <MembersSkeleton />
      ) : members.isError ? (
        <ErrorState
          className="mx-6 mb-6"
          title="Could not load members"
          error={members.error}
          onRetry={() => void members.refetch()}
        />
      ) : (
        <Table aria-label={`Members of ${org.name}`}>
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="pl-6">Name</TableHead>
              <TableHead className="w-44">Role</TableHead>
              <TableHead className="hidden w-36 md:table-cell">Joined</TableHead>
              <TableHead className="w-16 pr-6">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {members.data.map((member) => {
              const isSelf = member.userId === me.user.id;
              const editable = canUpdate && !isSelf && assignable.includes(member.role);
              const removable = canRemove && !isSelf && (org.role === 'owner' || member.role !== 'owner');
              return (
                <TableRow key={member.id}>
                  <TableCell className="pl-6">
                    <div className="flex items-center gap-3">
                      <Avatar name={member.name || member.email} />
                      <div className="grid min-w-0 leading-tight">
                        <span className="flex items-center gap-2 truncate font-medium">
                          {member.name}
                          {isSelf ? <Badge variant="outline">You</Badge> : null}
                        </span>
                        <span className="truncate text-[0.8125rem] text-muted-foreground">
                          {member.email}
                        </span>
                      </div>
                    </div>
                  </TableCell>
                  <TableCell>
                    {editable ? (
                      <RoleSelect
                        size="sm"
                        value={member.role}
                        roles={assignable}
                        onValueChange={(role) => onRoleChange(member, role)}
                        disabled={updateRole.isPending && updateRole.variables?.id === member.id}
                        aria-label={`Role of ${member.name}`}
                        className="w-36"
                      />
                    ) : (
                      <Badge variant={member.role === 'owner' ? 'accent' : 'neutral'}>
                        {roleLabel(member.role)}
                      </Badge>
                    )}
                  </TableCell>
                  <TableCell className="hidden text-muted-foreground md:table-cell">
                    {formatDate(member.createdAt)}
                  </TableCell>
                  <TableCell className="pr-6 text-right">
                    {removable ? (
                      <Button
                        variant="destructive-ghost"
                        size="icon"
                        onClick={() => setToRemove(member)}
                        aria-label={`Remove ${member.name}`}
                      >
                        <Trash2 aria-hidden="true" />
                      </Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      <ConfirmDialog
        open={toRemove !== undefined}
        onOpenChange={(open) => (open ? undefined : setToRemove(undefined))}
        title={`Remove ${toRemove?.name ?? 'member'}?`}
        description={
          <>
            {toRemove?.email} will lose access to {org.name} immediately. You can invite them again later.
            {toRemove ? (
              <KeysOfRemovedMember
                name={toRemove.name || toRemove.email}
                count={apiKeysOf?.(toRemove.userId)}
              />
            ) : null}
          </>
        }
        confirmLabel="Remove member"
        onConfirm={onConfirmRemove}
        pending={remove.isPending}
      />
    </Card>
  );
}
