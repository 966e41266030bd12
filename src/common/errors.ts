/** Error codes shared by server and web, with their HTTP status. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ORIGIN_MISMATCH: 403,
  /** The active organisation requires two-factor sign-in and the user has not set it up. */
  TWO_FACTOR_REQUIRED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DUPLICATE_EMAIL: 409,
  CONFIRMATION_REQUIRED: 400,
  INVALID_CURSOR: 400,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
  requestId: string;
}
