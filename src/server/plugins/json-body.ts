import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/errors.js';

/** A NUL character in JSON text: the escape \u0000 not itself escaped (an odd run of backslashes). */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

/**
 * JSON bodies, parsed like Fastify's own parser (which refuses prototype-poisoning keys) but
 * answering 400 with the path of the offending key instead of "Body is not valid JSON", so a
 * client sending `customFields: {"__proto__": …}` is told which field is refused.
 *
 * `JSON.parse` itself is safe (it creates an own `__proto__` property); the danger is later
 * code that copies with assignment (zod records, Object.assign) and changes the prototype.
 */
export function registerJsonBodyParser(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(
        new AppError('BAD_REQUEST', "Body cannot be empty when content-type is set to 'application/json'"),
      );
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      done(
        new AppError('BAD_REQUEST', "Body is not valid JSON but content-type is set to 'application/json'"),
      );
      return;
    }
    // PostgreSQL text and jsonb cannot hold NUL: a NUL in any field (a name, a filter value)
    // failed the statement with a 500. JSON carries NUL only as the escape \u0000 (after an even
    // number of other backslashes; "\\u0000" is a backslash and the text u0000).
    if (NUL_ESCAPE.test(text)) {
      done(
        new AppError('VALIDATION_FAILED', 'Invalid body: text cannot contain NUL characters (\\u0000)', {
          issues: [{ path: [], message: 'Text cannot contain NUL characters (\\u0000)' }],
        }),
      );
      return;
    }
    const bad = forbiddenKeyPath(value);
    if (bad) {
      const where = bad.join('.');
      done(
        new AppError('VALIDATION_FAILED', `Invalid body: ${where}: this key is not allowed`, {
          issues: [{ path: bad, message: 'This key is not allowed' }],
        }),
      );
      return;
    }
    done(null, value);
  });
}

/**
 * The path to the first `__proto__` key, or to a `constructor` object holding `prototype`
 * (what secure-json-parse refuses), or undefined. Iterative: deeply nested bodies cannot
 * overflow the stack.
 */
export function forbiddenKeyPath(value: unknown): string[] | undefined {
  interface Item {
    node: object;
    parent: Item | undefined;
    key: string;
  }
  const pathOf = (item: Item, ...tail: string[]) => {
    const path: string[] = [];
    for (let at: Item | undefined = item; at?.parent; at = at.parent) path.push(at.key);
    return [...path.reverse(), ...tail];
  };
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Item[] = [{ node: value, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const node = item.node;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        const child: unknown = node[i];
        if (typeof child === 'object' && child !== null)
          stack.push({ node: child, parent: item, key: String(i) });
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      if (key === '__proto__') return pathOf(item, key);
      const child: unknown = (node as Record<string, unknown>)[key];
      if (typeof child !== 'object' || child === null) continue;
      if (key === 'constructor' && Object.hasOwn(child, 'prototype')) return pathOf(item, key, 'prototype');
      stack.push({ node: child, parent: item, key });
    }
  }
  return undefined;
}
