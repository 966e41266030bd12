import type { QueryClient } from '@tanstack/react-query';
import { createRouter } from '@tanstack/react-router';
import { FullPageError, FullPageSpinner, NotFound } from './components/layout/route-states';
import { createQueryClient } from './lib/query-client';
import { routeTree } from './routeTree.gen';

export interface RouterContext {
  queryClient: QueryClient;
}

export function createAppRouter() {
  // Declared before the router exists: the 401 handler needs it, the router needs the client.
  let router: ReturnType<typeof build> | undefined;

  const queryClient = createQueryClient(
    () => {
      if (!router) return;
      // Only screens behind the auth guard move to sign-in; public pages handle "signed out" themselves.
      const inApp = router.state.matches.some((m) => m.routeId === '/_app');
      if (!inApp) return;
      const { pathname, searchStr } = router.state.location;
      void router.navigate({ to: '/sign-in', search: { redirect: pathname + searchStr }, replace: true });
      queryClient.removeQueries();
    },
    () => {
      // The organisation requires two-factor sign-in: the account security page sets it up.
      if (!router || router.state.location.pathname === '/settings/security') return;
      void router.navigate({ to: '/settings/security', replace: true });
    },
  );

  function build() {
    return createRouter({
      routeTree,
      context: { queryClient },
      defaultPreload: 'intent',
      // Let TanStack Query decide freshness; the router only triggers loaders.
      defaultPreloadStaleTime: 0,
      scrollRestoration: true,
      defaultPendingComponent: FullPageSpinner,
      defaultPendingMs: 300,
      defaultErrorComponent: FullPageError,
      defaultNotFoundComponent: NotFound,
    });
  }

  router = build();
  return { router, queryClient };
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>['router'];
  }
}
