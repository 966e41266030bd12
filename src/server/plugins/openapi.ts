import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { SESSION_COOKIE_PREFIX } from '../lib/auth.js';
import type { Config } from '../lib/config.js';
import type { Guards } from './session.js';

/** Security scheme names in the OpenAPI document. */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'mox_…',
    description:
      'An API key (`Authorization: Bearer mox_…`), created under Settings → API keys. It acts inside its ' +
      'organisation as a viewer (read) or a member (read_write); account and organisation management refuse it.',
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: `${SESSION_COOKIE_PREFIX}.session_token`,
    description:
      'The browser session cookie set by sign-in. Writes must also send an Origin header matching the server.',
  },
} as const;

type Security = Array<Partial<Record<keyof typeof SECURITY_SCHEMES, string[]>>>;
const SESSION_OR_KEY: Security = [{ session: [] }, { apiKey: [] }];
const SESSION_ONLY: Security = [{ session: [] }];
const PUBLIC: Security = [];

/** better-auth endpoints that act on the signed-in user (the others are for signed-out visitors). */
const SESSION_AUTH_ROUTES = new Set([
  '/api/auth/sign-out',
  '/api/auth/change-password',
  '/api/auth/revoke-sessions',
]);

/** Guard functions → the security they imply, recorded when routes ask the guards for them. */
const guardSecurity = new WeakMap<object, Security>();

/**
 * The guards, with each handler they hand out remembered, so the OpenAPI document can say of
 * every route whether it takes the session cookie, an API key, or nothing.
 */
export function documentedGuards(guards: Guards): Guards {
  guardSecurity.set(guards.authenticate, SESSION_ONLY);
  return {
    ...guards,
    requirePermission(permission, opts = {}) {
      const handlers = guards.requirePermission(permission, opts);
      guardSecurity.set(handlers[0]!, opts.allowApiKey === false ? SESSION_ONLY : SESSION_OR_KEY);
      return handlers;
    },
  };
}

function securityOf(route: RouteOptions): Security {
  const handlers = [route.preHandler ?? []].flat();
  let found: Security | undefined;
  for (const h of handlers) {
    const s = guardSecurity.get(h as object);
    if (s === SESSION_OR_KEY) return s;
    if (s) found = s;
  }
  if (found) return found;
  return SESSION_AUTH_ROUTES.has(route.url) ? SESSION_ONLY : PUBLIC;
}

/**
 * The OpenAPI document (`/api/openapi.json`) and its viewer (`/api/docs`). The viewer runs
 * under the app's own Content-Security-Policy (plugins/security.ts: scripts from 'self' only,
 * which the viewer's external scripts satisfy); swagger-ui's `staticCSP` would replace it with
 * a policy that blocks the styles Swagger UI injects and upgrades requests to https.
 */
export async function registerOpenApi(app: FastifyInstance, opts: { config: Config; version: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Moxora API',
        version: opts.version,
        description:
          'REST API of Moxora. Authenticate with an API key (`Authorization: Bearer mox_…`, see Settings → API keys) ' +
          'or the session cookie (browser; send an Origin header on writes). ' +
          'Errors: `{ error: { code, message, details? }, requestId }`.',
      },
      servers: [{ url: opts.config.baseUrl }],
      components: { securitySchemes: SECURITY_SCHEMES as never },
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      return { ...out, schema: { ...out.schema, security: securityOf(input.route) } };
    },
    // Schemas named with .meta({ id }) (the recursive filter tree) land in components.schemas.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: false,
    uiConfig: { persistAuthorization: false },
    // "Try it out" calls the origin the page was opened at (localhost or 127.0.0.1, or behind a
    // proxy), which connect-src 'self' allows; BASE_URL's absolute origin may be the other one.
    transformSpecification: (spec) => ({ ...spec, servers: [{ url: '/', description: 'This server' }] }),
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
