import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has zero-setup defaults: embedded database in ./data, outbox mail, port 3000', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.smtpUrl).toBeUndefined();
    expect(c.devOutbox).toBe(true);
    expect(c.baseUrl).toBe('http://localhost:3000');
    expect(c.session.maxAgeSeconds).toBe(30 * 86400);
  });

  it('honours PORT, MOXORA_DATA_DIR and BASE_URL', () => {
    const c = loadConfig({ PORT: '8080', MOXORA_DATA_DIR: '/tmp/x', BASE_URL: 'https://crm.example.com/' });
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.baseUrl).toBe('https://crm.example.com');
  });

  it.each([
    [{ DATABASE_URL: 'nope' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://h/db' }, 'DATABASE_URL'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ BASE_URL: 'ftp://x' }, 'BASE_URL'],
    [{ AUTH_SECRET: 'short' }, 'AUTH_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('rejects %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('accepts a PostgreSQL URL and an SMTP URL', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/moxora',
      SMTP_URL: 'smtps://u:p@mail.example.com:465',
    });
    expect(c.databaseUrl).toContain('moxora');
    expect(c.devOutbox).toBe(false);
  });
});
