import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { ApiErrorBody } from '../../common/errors.js';
import { AppError } from '../lib/errors.js';

const CLIENT_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export function errorBody(requestId: string, code: string, message: string, details?: unknown): ApiErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId };
}

/** One error format for the whole API: `{ error: { code, message, details? }, requestId }`. */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.flatMap((v) =>
        explainIssue(
          { code: v.keyword, message: v.message ?? 'Invalid value', ...v.params } as ZodIssueLike,
          v.instancePath.split('/').filter(Boolean),
        ),
      );
      const first = issues[0];
      const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
      return reply.status(400).send(
        errorBody(
          request.id,
          'VALIDATION_FAILED',
          `Invalid ${err.validationContext ?? 'request'}: ${where}${first?.message ?? ''}`,
          {
            issues,
          },
        ),
      );
    }
    if (err instanceof AppError) {
      return reply.status(err.status).send(errorBody(request.id, err.code, err.message, err.details));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err: safeErrorSummary(err) }, 'response did not match its schema');
      return reply.status(500).send(errorBody(request.id, 'INTERNAL', 'Something went wrong on our side'));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply
        .status(status)
        .send(errorBody(request.id, CLIENT_CODES[status] ?? 'BAD_REQUEST', err.message));
    }
    request.log.error({ err: safeErrorSummary(err) }, 'unhandled error');
    return reply.status(500).send(errorBody(request.id, 'INTERNAL', 'Something went wrong on our side'));
  });
}

interface ZodIssueLike {
  code?: string;
  message: string;
  path?: PropertyKey[];
  errors?: ZodIssueLike[][];
}

/**
 * A union that matched no branch reports "Invalid input" with every branch's issues. Report
 * the issues of the branch the input was meant for instead (the one not refusing its keys nor
 * missing its fields), so `selection: { filter: <too deep> }` reads `selection.filter: …`.
 */
function explainIssue(issue: ZodIssueLike, path: string[]): Array<{ path: string[]; message: string }> {
  if (issue.code === 'invalid_union' && Array.isArray(issue.errors) && issue.errors.length > 0) {
    const misfit = (branch: ZodIssueLike[]) =>
      branch.filter(
        (i) =>
          i.code === 'unrecognized_keys' ||
          (i.code === 'invalid_type' && /received undefined/.test(i.message)),
      ).length;
    const best = [...issue.errors].sort((a, b) => misfit(a) - misfit(b))[0]!;
    if (best.length > 0 && misfit(best) < Math.min(...issue.errors.filter((b) => b !== best).map(misfit))) {
      return best.flatMap((i) => explainIssue(i, [...path, ...(i.path ?? []).map(String)]));
    }
  }
  return [{ path, message: issue.message }];
}

/** Fields of a database error that name schema objects, never row values. */
const DB_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'dataType', 'routine'] as const;

export interface SafeErrorSummary {
  /** The error's class (pino's serializer reports it as `type`). */
  name: string;
  message: string;
  stack?: string;
  code?: string;
  severity?: string;
  constraint?: string;
  table?: string;
  column?: string;
  dataType?: string;
  routine?: string;
}

const isQueryWrapper = (e: Record<string, unknown>) => typeof e.query === 'string' || 'params' in e;
const isDbError = (e: Record<string, unknown>) =>
  typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && 'severity' in e;

/**
 * What an unexpected error may put in the logs: its class, message (with its causes', like
 * pino prints them), stack frames and, for a database error, the SQLSTATE code and the names of
 * the constraint/table/column. Never the query parameters (user data), the query text, the row
 * (`detail`, "Failing row contains …"), or a value quoted at the end of a PostgreSQL message
 * (`invalid input syntax for type uuid: "…"`). Drizzle wraps driver errors as
 * "Failed query: <sql> params: <values>"; that message is replaced by "Database query failed".
 */
export function safeErrorSummary(err: unknown): SafeErrorSummary {
  if (!(err instanceof Error)) return { name: typeof err, message: 'A non-error value was thrown' };
  const chain: Array<Error & Record<string, unknown>> = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 4; e = e.cause) {
    chain.push(e as Error & Record<string, unknown>);
  }
  // A driver error may carry the query and its parameters too (some drivers attach them): its own message is kept.
  const messages = chain.map((e) =>
    isDbError(e) ? redactDbMessage(e.message) : isQueryWrapper(e) ? 'Database query failed' : e.message,
  );
  // A null prototype: pino's error serializer then reports `name` as the type, not "Object".
  const summary: SafeErrorSummary = Object.assign(Object.create(null) as SafeErrorSummary, {
    name: err.name === 'Error' ? err.constructor?.name || err.name : err.name,
    message: messages.filter((m, i) => m && m !== messages[i - 1]).join(': '),
    stack: stackFrames(err.stack),
  });
  const db = chain.find(isDbError);
  if (db) {
    for (const field of DB_FIELDS) {
      const v = db[field];
      if (typeof v === 'string') summary[field] = v;
    }
  } else if (typeof chain[0]!.code === 'string') {
    summary.code = chain[0]!.code;
  }
  return summary;
}

/** PostgreSQL puts the offending value last, quoted: `…: "value"`. Keep the sentence, drop the value. */
function redactDbMessage(message: string): string {
  return message.replace(/:\s*"[\s\S]*"\s*$/, ': "[redacted]"');
}

/** The "at …" lines of a stack (the first lines repeat the message, which may hold the query). */
function stackFrames(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length ? frames.join('\n') : undefined;
}
