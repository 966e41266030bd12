import type { ApiErrorBody } from '@common/errors';

/** One field-level problem reported by the server (400 VALIDATION_FAILED). */
export interface ValidationIssue {
  path: string[];
  message: string;
}

/** Every failed API call throws this: it carries the code, message and details of the error body. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | undefined;
  /** The request path, so callers can tell an expired app session from a failed sign-in. */
  readonly path: string;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    requestId?: string;
    path: string;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.path = init.path;
  }

  /** The validation issues of a 400 VALIDATION_FAILED answer (empty otherwise). */
  get issues(): ValidationIssue[] {
    const details = this.details as { issues?: unknown } | undefined;
    if (!details || !Array.isArray(details.issues)) return [];
    return details.issues.filter(
      (i): i is ValidationIssue =>
        typeof i === 'object' && i !== null && Array.isArray(i.path) && typeof i.message === 'string',
    );
  }

  /** Validation issues keyed by field name (`path` joined with dots); the first issue per field wins. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.issues) {
      const key = issue.path.map(String).join('.');
      if (key && !(key in out)) out[key] = issue.message;
    }
    return out;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** The signed-out answer of the Moxora API (not a failed sign-in attempt). */
export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.path.startsWith('/api/v1');
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

const FALLBACK_MESSAGES: Record<string, string> = {
  PAYLOAD_TOO_LARGE: 'The file is larger than this server accepts.',
  RATE_LIMITED: 'Too many attempts. Please wait a few minutes and try again.',
  UNAVAILABLE: 'Moxora is temporarily unavailable. Please try again shortly.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
};

async function toApiError(response: Response, path: string): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const status = response.status;
  const fallbackCode = STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
  // The contract: { error: { code, message, details? }, requestId }. Tolerate a bare { code, message } too.
  const b = (body ?? {}) as Partial<ApiErrorBody> & { code?: unknown; message?: unknown };
  const inner =
    b.error && typeof b.error === 'object'
      ? b.error
      : { code: b.code, message: b.message, details: undefined as unknown };
  const code = typeof inner.code === 'string' && inner.code ? inner.code : fallbackCode;
  const message =
    typeof inner.message === 'string' && inner.message
      ? inner.message
      : (FALLBACK_MESSAGES[code] ?? FALLBACK_MESSAGES[fallbackCode] ?? `Request failed (${status}).`);
  return new ApiError({
    status,
    code,
    message,
    details: inner.details,
    requestId: typeof b.requestId === 'string' ? b.requestId : undefined,
    path,
  });
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  signal?: AbortSignal;
}

async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // FormData sets its own multipart Content-Type (with the boundary); everything else is JSON.
  const isForm = body instanceof FormData;
  if (body !== undefined && !isForm) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({
      status: 0,
      code: 'NETWORK_ERROR',
      message: 'Could not reach Moxora. Check your connection and try again.',
      path,
    });
  }
  if (!response.ok) throw await toApiError(response, path);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined as T;
  }
}

/** A small typed client: JSON in and out, the session cookie is sent, failures throw ApiError. */
export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T = void>(path: string, body: unknown = {}, options?: RequestOptions) =>
    request<T>('POST', path, body, options),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, body, options),
  delete: <T = void>(path: string, options?: RequestOptions) =>
    request<T>('DELETE', path, undefined, options),
  /** POST multipart/form-data (file uploads); the answer is JSON like every other call. */
  upload: <T>(path: string, form: FormData, options?: RequestOptions) =>
    request<T>('POST', path, form, options),
};

/** A message fit for a toast or a form banner, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}
