import type { ApiErrorBody } from '@common/errors';
import { ApiError, friendlyMessage } from '@/lib/api';

/**
 * DELETE with a JSON body, which the shared client (lib/api.ts) does not send yet. Failures
 * throw the same ApiError as the shared client, with the server's message made readable.
 */
export async function sendJson<T = void>(method: 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({
      status: 0,
      code: 'NETWORK_ERROR',
      message: 'Could not reach Moxora. Check your connection and try again.',
      path,
    });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const b = (json ?? {}) as Partial<ApiErrorBody>;
    const code = b.error?.code ?? (response.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
    const message = b.error?.message ?? `Request failed (${response.status}).`;
    throw new ApiError({
      status: response.status,
      code,
      message: friendlyMessage(code, message, b.error?.details),
      details: b.error?.details,
      requestId: b.requestId,
      path,
    });
  }
  return json as T;
}
