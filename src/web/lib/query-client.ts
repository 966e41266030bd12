import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, isUnauthenticated } from './api';

/**
 * Builds the app's QueryClient. `onSignedOut` runs when an API call answers 401 UNAUTHENTICATED
 * (the session expired or was revoked elsewhere), so the app can send the user to sign in.
 */
export function createQueryClient(
  onSignedOut: (error: ApiError) => void,
  /** The active organisation requires two-factor sign-in and the user has it off (403 TWO_FACTOR_REQUIRED). */
  onTwoFactorRequired?: () => void,
): QueryClient {
  const handle = (error: unknown) => {
    if (isUnauthenticated(error)) onSignedOut(error as ApiError);
    else if (error instanceof ApiError && error.code === 'TWO_FACTOR_REQUIRED') onTwoFactorRequired?.();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: handle }),
    mutationCache: new MutationCache({ onError: handle }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        // Client errors (4xx) will not go away by retrying.
        retry: (failureCount, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < 2,
      },
      mutations: { retry: false },
    },
  });
}
