import { redirect } from '@tanstack/react-router';
import { api } from '@/lib/api';
import { safeRedirect } from '@/lib/redirect';

/**
 * For the sign-in and sign-up screens: someone already signed in goes into the app (or where they
 * were headed). Asks the server directly rather than the query cache, which may still hold the
 * session that was just signed out.
 */
export async function redirectIfSignedIn(target: string | undefined): Promise<void> {
  let signedIn = false;
  try {
    await api.get('/api/v1/me');
    signedIn = true;
  } catch {
    signedIn = false; // 401 (signed out) or unreachable: stay on the form
  }
  if (signedIn) throw redirect({ href: safeRedirect(target, '/'), replace: true });
}
