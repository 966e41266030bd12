import { describe, expect, it } from 'vitest';
import { ConfigError, fastifyTrustProxy, loadConfig } from './config.js';

describe('configuration', () => {
  it('has zero-setup defaults: embedded database in ./data, outbox mail, port 3000', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.smtpUrl).toBeUndefined();
    // Listening on loopback only (HOST=127.0.0.1), no proxy trusted: the outbox viewer is on, so a
    // fresh `npm start` can read its verification mail; on every interface it is off (below).
    expect(c.host).toBe('127.0.0.1');
    expect(c.devOutbox).toBe(true);
    expect(c.trustProxy).toBe(false);
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

  describe('TRUST_PROXY', () => {
    it('trusts no proxy by default, for false, no and 0', () => {
      for (const TRUST_PROXY of [undefined, '', 'false', 'no', '0', 'FALSE'])
        expect(loadConfig({ TRUST_PROXY }).trustProxy).toBe(false);
    });

    it('takes a hop count', () => {
      expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toEqual({ hops: 1 });
      expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toEqual({ hops: 2 });
      expect(() => loadConfig({ TRUST_PROXY: '99' })).toThrow(/^Invalid configuration: TRUST_PROXY /);
    });

    it('takes a comma-separated list of addresses and CIDRs', () => {
      expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustProxy).toEqual({
        addresses: ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'],
      });
      expect(loadConfig({ TRUST_PROXY: '192.168.0.0/255.255.0.0,loopback' }).trustProxy).toEqual({
        addresses: ['192.168.0.0/255.255.0.0', 'loopback'],
      });
    });

    it.each(['true', 'TRUE', 'yes'])('refuses %s, saying what to write instead', (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(
        /^Invalid configuration: TRUST_PROXY=\w+ would trust every hop.*TRUST_PROXY=127\.0\.0\.1.*TRUST_PROXY=1/,
      );
    });

    it.each(['proxy.local', '10.0.0.0/33', '1.2.3', '10.0.0.1/8/1', ',', '::1/129'])(
      'refuses %s',
      (value) => {
        expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/^Invalid configuration: TRUST_PROXY /);
      },
    );

    it('gives Fastify a function for a hop count (Fastify alone trusts nothing for a number)', () => {
      expect(fastifyTrustProxy(false)).toBe(false);
      expect(fastifyTrustProxy({ addresses: ['10.0.0.0/8'] })).toEqual(['10.0.0.0/8']);
      const hops = fastifyTrustProxy({ hops: 1 });
      expect(typeof hops).toBe('function');
      const fn = hops as (address: string, hop: number) => boolean;
      expect([fn('10.0.0.1', 0), fn('203.0.113.1', 1)]).toEqual([true, false]);
    });
  });

  describe('DEV_OUTBOX (the local mail viewer)', () => {
    it('is on without SMTP_URL when the server listens on loopback and trusts no proxy', () => {
      for (const HOST of ['127.0.0.1', 'localhost', '::1', '127.0.0.2'])
        expect(loadConfig({ HOST }).devOutbox).toBe(true);
    });

    it('is off on a public address or behind a trusted proxy (a same-host proxy makes everyone loopback)', () => {
      expect(loadConfig({ HOST: '0.0.0.0' }).devOutbox).toBe(false);
      expect(loadConfig({ HOST: '::' }).devOutbox).toBe(false);
      expect(loadConfig({ HOST: '127.0.0.1', TRUST_PROXY: '127.0.0.1' }).devOutbox).toBe(false);
      expect(loadConfig({ HOST: '127.0.0.1', TRUST_PROXY: '1' }).devOutbox).toBe(false);
    });

    it('is on with DEV_OUTBOX=1 and off with DEV_OUTBOX=0, whatever the address', () => {
      expect(loadConfig({ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.0/8', DEV_OUTBOX: '1' }).devOutbox).toBe(
        true,
      );
      expect(loadConfig({ HOST: '127.0.0.1', DEV_OUTBOX: '0' }).devOutbox).toBe(false);
    });

    it('is off with SMTP_URL (nothing is written to the outbox)', () => {
      expect(loadConfig({ HOST: '127.0.0.1', SMTP_URL: 'smtp://mail:25', DEV_OUTBOX: '1' }).devOutbox).toBe(
        false,
      );
    });

    it('is never on in production: off by default, DEV_OUTBOX=1 refused at start-up', () => {
      expect(loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.1' }).devOutbox).toBe(false);
      expect(() => loadConfig({ NODE_ENV: 'production', DEV_OUTBOX: '1' })).toThrow(
        /^Invalid configuration: DEV_OUTBOX=1 .* refused in production/,
      );
    });
  });
});
