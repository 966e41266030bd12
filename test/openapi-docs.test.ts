import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

interface Operation {
  summary?: string;
  security?: Array<Record<string, string[]>>;
}

describe.skipIf(databaseMissing)('OpenAPI document and /api/docs', () => {
  let server: TestServer;
  let doc: {
    components: { securitySchemes: Record<string, Record<string, unknown>> };
    paths: Record<string, Record<string, Operation>>;
  };
  beforeAll(async () => {
    server = await createTestServer();
    doc = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  });
  afterAll(async () => {
    await server?.close();
  });

  const SESSION_OR_KEY = [{ session: [] }, { apiKey: [] }];
  const SESSION_ONLY = [{ session: [] }];

  it('declares the API-key (bearer) and session-cookie schemes, so /api/docs offers Authorize', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'mox_…' },
      session: { type: 'apiKey', in: 'cookie', name: 'moxora.session_token' },
    });
    expect(doc.components.securitySchemes.apiKey!.description).toMatch(/Authorization: Bearer mox_/);
  });

  it('marks every operation with how it is authenticated', () => {
    const security = (method: string, path: string) => doc.paths[path]?.[method]?.security;
    // Tenant routes: a session or an API key.
    for (const [m, p] of [
      ['get', '/api/v1/contacts'],
      ['post', '/api/v1/contacts/bulk'],
      ['post', '/api/v1/exports'],
      ['get', '/api/v1/fields'],
      ['get', '/api/v1/segments/{id}/count'],
    ] as const) {
      expect(security(m, p), `${m} ${p}`).toEqual(SESSION_OR_KEY);
    }
    // Account and organisation management, and API keys themselves: the session only.
    for (const [m, p] of [
      ['get', '/api/v1/me'],
      ['post', '/api/v1/organizations'],
      ['post', '/api/v1/api-keys'],
      ['post', '/api/auth/change-password'],
      ['post', '/api/auth/sign-out'],
    ] as const) {
      expect(security(m, p), `${m} ${p}`).toEqual(SESSION_ONLY);
    }
    // Signed-out visitors.
    for (const [m, p] of [
      ['post', '/api/auth/sign-up/email'],
      ['post', '/api/auth/sign-in/email'],
      ['post', '/api/auth/request-password-reset'],
      ['get', '/api/health'],
    ] as const) {
      expect(security(m, p), `${m} ${p}`).toEqual([]);
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(Array.isArray(op.security), `${method} ${path} declares its security`).toBe(true);
      }
    }
  });

  it('serves the docs page under the app CSP, with nothing inline that the CSP would block', async () => {
    const page = await server.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    const csp = page.headers['content-security-policy'] as string;
    const app = (await server.app.inject({ method: 'GET', url: '/' })).headers['content-security-policy'];
    // One policy for the whole site: swagger-ui's own (which blocked Swagger UI's injected
    // styles and upgraded http requests to https) no longer replaces it.
    expect(csp).toBe(app);
    const directives = Object.fromEntries(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    ) as Record<string, string[]>;
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toContain("'self'");
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(csp).not.toContain('upgrade-insecure-requests');

    const html = page.body;
    // Every script is an external file from this origin: no inline script, no event handler attribute.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs, 'script has a src').toMatch(/\bsrc="\.?\/[^"]+"/);
      expect(body!.trim(), 'script has no inline code').toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    // "Try it out" requests go to the page's own origin (connect-src 'self'), whichever loopback
    // spelling it was opened at; /api/openapi.json keeps the absolute BASE_URL for API clients.
    const uiSpec = (await server.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(uiSpec.servers).toEqual([{ url: '/', description: 'This server' }]);
    const spec = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(spec.servers).toEqual([{ url: server.baseUrl }]);
    for (const [, src] of html.matchAll(/\b(?:src|href)="([^"]+)"/g)) {
      const res = await server.app.inject({
        method: 'GET',
        url: new URL(src!, 'http://x/api/docs/').pathname,
      });
      expect(res.statusCode, src).toBe(200);
    }
  });
});
