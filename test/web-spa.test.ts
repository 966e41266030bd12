import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/** Serving the built web UI: every SPA path, `/` included, answers with index.html. */
describe.skipIf(databaseMissing)('web UI from a build', () => {
  let server: TestServer;
  let webDist: string;
  const INDEX =
    '<!doctype html><html><head><title>Moxora test build</title></head><body>spa-marker</body></html>';
  beforeAll(async () => {
    // A stand-in for `npm run build`: an index.html and a hashed asset, as Vite lays them out.
    webDist = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-web-'));
    fs.mkdirSync(path.join(webDist, 'assets'));
    fs.writeFileSync(path.join(webDist, 'index.html'), INDEX);
    fs.writeFileSync(path.join(webDist, 'assets', 'index-abc123.js'), 'console.log("app");');
    fs.writeFileSync(path.join(webDist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await createTestServer({ webDist });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(webDist, { recursive: true, force: true });
  });

  it('serves index.html at / (the first page a new user opens), not 403', async () => {
    for (const url of ['/', '/?from=signup']) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.body, url).toContain('spa-marker');
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
    const head = await server.app.inject({ method: 'HEAD', url: '/' });
    expect(head.statusCode).toBe(200);
  });

  it('serves index.html for every SPA path, including directory-like ones', async () => {
    for (const url of [
      '/contacts',
      '/contacts/',
      '/settings/members',
      '/sign-in?verified=1',
      '/assets',
      '/assets/',
    ]) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.body, url).toContain('spa-marker');
    }
  });

  it('serves built files as files (hashed assets cached for a year), API misses as JSON 404', async () => {
    const js = await server.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await server.app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toContain('image/svg+xml');
    const api = await server.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
  });
});
