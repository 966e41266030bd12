import type { ApiErrorBody } from '@common/errors';
import type { components, paths } from './api-types.gen';

/*
 * Types of the API, from the OpenAPI document (api-types.gen.ts, `npm run api:types`). Features name
 * what they send and receive through these, e.g. `Res<'/api/v1/contacts/{id}', 'get'>`, instead of
 * writing the shapes by hand, so a route change that the web does not follow fails `npm run typecheck`.
 */

/** A path of the API as the OpenAPI document writes it (`/api/v1/contacts/{id}`). */
export type ApiPath = keyof paths;
type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The methods a path answers. */
export type ApiMethod<P extends ApiPath> = {
  [M in HttpMethod]-?: [NonNullable<paths[P][M]>] extends [never] ? never : M;
}[HttpMethod];
type Operation<P extends ApiPath, M extends ApiMethod<P>> = NonNullable<paths[P][M]>;
type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type SuccessOf<R> =
  | (200 extends keyof R ? R[200] : never)
  | (201 extends keyof R ? R[201] : never)
  | (202 extends keyof R ? R[202] : never);

/** The JSON a successful call answers (its 200, 201 or 202 response). */
export type Res<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { responses: infer R } ? JsonOf<SuccessOf<R>> : never;
/** The JSON body a call sends. */
export type Body<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
/** The query string parameters a call takes. */
export type Query<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** A named schema of the document (`components.schemas`), e.g. `Schema<'FilterNodeInput'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
/** The element type of a list answer (`{ items: T[] }`). */
export type ItemOf<T> = T extends { items: Array<infer I> } ? I : never;

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

/** What each permission lets someone do, for "Your role does not allow …" messages. */
const PERMISSION_TEXT: Record<string, string> = {
  'org:read': 'see this organisation',
  'org:update': 'change the organisation’s settings',
  'org:delete': 'delete the organisation',
  'org:export': 'export the organisation’s data',
  'members:read': 'see the members',
  'members:invite': 'invite people',
  'members:update': 'change members’ roles',
  'members:remove': 'remove members',
  'contacts:read': 'see contacts',
  'contacts:write': 'add or change contacts, companies, tags and segments',
  'campaigns:read': 'see campaigns',
  'campaigns:write': 'change campaigns',
  'campaigns:send': 'send campaigns',
  'automations:read': 'see automations',
  'automations:write': 'change automations',
  'settings:read': 'see the settings',
  'settings:write': 'change settings such as custom fields and API keys',
  'usage:read': 'see usage',
};

/** "firstName" → "First name", "phones.0" → "Phones". */
function fieldLabel(path: unknown[]): string {
  const name = [...path].reverse().find((p) => typeof p === 'string' && !/^\d+$/.test(p));
  if (typeof name !== 'string' || !name) return 'A value';
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The server's messages are written for people, except two kinds that name internals: schema
 * validation ("Invalid params: id: must be a UUID") and permission refusals ("Your role (viewer)
 * does not allow settings:write"). Those become sentences here, so no screen ever shows them raw.
 */
export function friendlyMessage(code: string, message: string, details?: unknown): string {
  if (code === 'VALIDATION_FAILED') {
    const where = /^Invalid (params|querystring|body|headers|request)\b/.exec(message)?.[1];
    if (where === 'params' || where === 'querystring') {
      return 'This address does not point to anything in Moxora. Check the link, or go back and try again.';
    }
    if (where) {
      const issues = (details as { issues?: Array<{ path?: unknown[]; message?: unknown }> } | undefined)
        ?.issues;
      const first = Array.isArray(issues) ? issues[0] : undefined;
      const label = fieldLabel(first?.path ?? []);
      const text = typeof first?.message === 'string' ? first.message : '';
      // Our own schema messages continue a sentence ("is required", "must be a valid email address");
      // zod's defaults ("Invalid input: expected string…") do not read as one.
      if (/^(is|must|should|cannot|does|has|needs)\b/.test(text)) return `${label} ${text}.`;
      return `${label} is not valid. Check it and try again.`;
    }
  }
  if (code === 'FORBIDDEN') {
    const m = /does not allow ([a-z]+:[a-z]+)/.exec(message);
    if (m) {
      const what = PERMISSION_TEXT[m[1]!] ?? 'do this';
      return `Your role in this organisation does not let you ${what}. Ask an admin or owner if you need to.`;
    }
  }
  return message;
}

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
    message: friendlyMessage(code, message, inner.details),
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
  put: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  /** DELETE; `body` for the few deletions that say why (e.g. removing a suppression). */
  delete: <T = void>(path: string, options?: RequestOptions & { body?: unknown }) =>
    request<T>('DELETE', path, options?.body, options),
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
