import { ApiError, errorMessage } from '@/lib/api';

/**
 * The message to show next to one field after a failed save: the validation issue whose path
 * names this field (e.g. `customFields.score` for path `['customFields', 'score']`), else the
 * first issue, else the error's message.
 */
export function fieldErrorMessage(error: unknown, path: string[]): string {
  if (error instanceof ApiError) {
    const issues = error.issues;
    const joined = path.join('.');
    const last = path[path.length - 1];
    const exact = issues.find((i) => i.path.map(String).join('.') === joined);
    if (exact) return exact.message;
    const byKey = last ? issues.find((i) => i.path.map(String).includes(last)) : undefined;
    if (byKey) return byKey.message;
    if (issues[0]) return issues[0].message;
  }
  return errorMessage(error);
}
