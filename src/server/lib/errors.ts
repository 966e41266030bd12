import { ERROR_STATUS, type ErrorCode } from '../../common/errors.js';

/** The one error type services throw; the error handler maps `code` to an HTTP status. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'You do not have permission to do this') =>
  new AppError('FORBIDDEN', message);
