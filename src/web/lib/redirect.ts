/**
 * Returns `value` when it is a same-origin relative path ("/settings?tab=1"), else `fallback`.
 * Rejects protocol-relative ("//evil.com"), backslash tricks ("/\\evil.com"), absolute URLs and
 * control characters, so a crafted `?redirect=` can never send the user to another site.
 */
export function safeRedirect(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string') return fallback;
  if (!value.startsWith('/') || value.startsWith('//')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  try {
    const url = new URL(value, window.location.origin);
    if (url.origin !== window.location.origin) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}

/** Reads an optional `redirect` search param, keeping only safe values. */
export function parseRedirect(search: Record<string, unknown>): string | undefined {
  const value = safeRedirect(search.redirect, '');
  return value || undefined;
}
