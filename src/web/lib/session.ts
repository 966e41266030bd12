import type { Permission } from '@common/permissions';
import { type QueryClient, queryOptions, useSuspenseQuery } from '@tanstack/react-query';
import { api, type Res } from './api';
import { roleCannot } from './roles';

/**
 * The signed-in user, their organizations and what they may do (GET /api/v1/me).
 * Shared by every feature, so it lives in lib/ rather than in one feature.
 */
export type Me = Res<'/api/v1/me', 'get'>;

export type OrganizationSummary = Me['organizations'][number];

export const meQueryKey = ['me'] as const;

export const meQueryOptions = () =>
  queryOptions({
    queryKey: meQueryKey,
    queryFn: ({ signal }) => api.get<Me>('/api/v1/me', { signal }),
    staleTime: 30_000,
  });

/** The current session. Only for screens under the auth-guarded layout, which loads it first. */
export function useMe(): Me {
  return useSuspenseQuery(meQueryOptions()).data;
}

/** Whether the current user holds `permission` in the active organization. */
export function useCan(permission: Permission): boolean {
  return useMe().permissions.includes(permission);
}

/** Query keys of organisation data start with `['orgs', orgId]` (see the features' api files). */
function organizationOf(queryKey: readonly unknown[]): string | undefined {
  return queryKey[0] === 'orgs' && typeof queryKey[1] === 'string' ? queryKey[1] : undefined;
}

/**
 * After the active organisation changed on the server (switch, create, join, leave, delete): load the
 * new `/me` first, so screens re-key their queries to the new organisation, then drop every query of
 * another organisation. Refetching the old organisation's queries instead would ask the server for
 * ids it no longer resolves (404s), and could show one organisation's data under another's name.
 */
export async function activeOrganizationChanged(queryClient: QueryClient): Promise<Me | undefined> {
  // Nothing of the old organisation may still be in flight or refetch meanwhile.
  await queryClient.cancelQueries({ predicate: (q) => organizationOf(q.queryKey) !== undefined });
  await queryClient.refetchQueries({ queryKey: meQueryKey, type: 'all' });
  const me = queryClient.getQueryData<Me>(meQueryKey);
  const activeId = me?.activeOrganization?.id;
  queryClient.removeQueries({
    predicate: (q) => {
      const org = organizationOf(q.queryKey);
      return org !== undefined && org !== activeId;
    },
  });
  // The new organisation's queries may have run while the session still pointed elsewhere (a
  // removed member's shell shows their first organisation before they choose it): fetch again.
  await queryClient.invalidateQueries({
    predicate: (q) => activeId !== undefined && organizationOf(q.queryKey) === activeId,
  });
  return me;
}

/** Undefined when the user holds `permission`, else why the control is disabled ("Viewers can’t …"). */
export function useDisabledReason(permission: Permission, action: string): string | undefined {
  const me = useMe();
  return me.permissions.includes(permission) ? undefined : roleCannot(me.activeOrganization?.role, action);
}
