import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

describe.skipIf(databaseMissing)('HTTP surface', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reports database and queue status at /api/health', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok', kind: 'postgres' }, // test servers connect by URL to the run's server
      queue: { status: 'ok' },
    });
  });

  it('publishes an OpenAPI 3.1 document with every registered API route and a summary for each, with docs at /api/docs', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        documented.push(`${method.toUpperCase()} ${path}`);
        expect(op.summary, `${method} ${path} has a summary`).toBeTruthy();
      }
    }
    // Every route the app registers under /api/ and /_dev/, except the ones hidden on purpose
    // (the document itself and the docs page's files), as `/api/v1/contacts/{id}`.
    const registered = server.routes
      .filter((r) => /^\/(api|_dev)\//.test(r.url) && !(r.schema as { hide?: boolean } | undefined)?.hide)
      .flatMap((r) => [r.method].flat().map((m) => `${m} ${r.url.replace(/:(\w+)/g, '{$1}')}`))
      .filter((key) => !key.startsWith('HEAD '));
    expect(registered.length).toBeGreaterThan(50);
    expect(registered.filter((key) => !documented.includes(key))).toEqual([]);
    const docs = await server.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('sends security headers and a request id, and one error format', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/does-not-exist' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: expect.any(String) },
      requestId: res.headers['x-request-id'],
    });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });

  it('serves the SPA for app paths, never for unknown API paths', async () => {
    const page = await server.app.inject({ method: 'GET', url: '/settings/members' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const api = await server.app.inject({ method: 'GET', url: '/api/nope' });
    expect(api.headers['content-type']).toContain('application/json');
  });

  it('sets no cookie on public pages and API errors', async () => {
    for (const url of ['/', '/sign-in', '/api/health', '/api/v1/me', '/api/openapi.json']) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.headers['set-cookie'], url).toBeUndefined();
    }
  });
});
