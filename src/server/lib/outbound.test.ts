import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyring } from './crypto.js';
import {
  addressRefusal,
  DEFAULT_MAX_RESPONSE_BYTES,
  OutboundError,
  type PostWebhookOptions,
  postWebhook,
  webhookSecretFor,
} from './outbound.js';

// Every server here listens on loopback; nothing in this file contacts any other address (refused
// targets are refused before a connection is made, which the tests also check where it matters).

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

interface Receiver {
  port: number;
  url: string;
  requests: Received[];
  connections: () => number;
}

const servers: (http.Server | https.Server)[] = [];

// A self-signed test certificate for hooks.example.test and 127.0.0.1 (valid 2000–2100); its key
// protects nothing but these tests.
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBfjCCASWgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYDVQQDDBJob29rcy5l
eGFtcGxlLnRlc3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMB0x
GzAZBgNVBAMMEmhvb2tzLmV4YW1wbGUudGVzdDBZMBMGByqGSM49AgEGCCqGSM49
AwEHA0IABG0yAHhESokf/Hkt+B++J5pjPiYNxbTvEMUpV0n3RBos28kXx09zgl/M
tdkU/yi4mL9F6USK6/E9Vfyhz0+ifxCjVDBSMCMGA1UdEQQcMBqCEmhvb2tzLmV4
YW1wbGUudGVzdIcEfwAAATAMBgNVHRMEBTADAQH/MB0GA1UdDgQWBBQsfoDoVU4w
DcXzHu15LgHr9jLFzzAKBggqhkjOPQQDAgNHADBEAiAQVBve8MKCOTV1/D7i2mwh
eqO+TlXp+CP/E0W7V/HevAIgcOkkKUjO20ITLStq552452d3mdU0tczg88aIlRti
oGo=
-----END CERTIFICATE-----
`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDjJw5ZVwE1iokNNM
SaK3q+IrC+paHkeb9JWFaXh0r5mhRANCAARtMgB4REqJH/x5LfgfvieaYz4mDcW0
7xDFKVdJ90QaLNvJF8dPc4JfzLXZFP8ouJi/RelEiuvxPVX8oc9Pon8Q
-----END PRIVATE KEY-----
`;

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function receiver(handler: Handler, host = '127.0.0.1', tls = false): Promise<Receiver> {
  const requests: Received[] = [];
  let connections = 0;
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  };
  const server = tls
    ? https.createServer({ cert: TEST_CERT, key: TEST_KEY }, listener)
    : http.createServer(listener);
  server.on('connection', () => {
    connections++;
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  return { port, url, requests, connections: () => connections };
}

const ok: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"received":true}');
};

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const LOOPBACK = ['127.0.0.1/32'];

function post(url: string, extra: Partial<PostWebhookOptions> = {}) {
  return postWebhook({
    url,
    body: { type: 'automation.webhook', data: { contactId: randomUUID() } },
    secret: SECRET,
    msgId: `msg_${randomUUID()}`,
    timeoutMs: 10_000,
    allowCidrs: LOOPBACK,
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<OutboundError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OutboundError);
    return err as OutboundError;
  }
  throw new Error('Expected the webhook to fail');
}

/** The Standard Webhooks check, written out here independently of the implementation. */
function expectSigned(r: Received, secret: string) {
  const id = r.headers['webhook-id'] as string;
  const ts = r.headers['webhook-timestamp'] as string;
  const sig = r.headers['webhook-signature'] as string;
  expect(id).toBeTruthy();
  expect(ts).toMatch(/^\d+$/);
  expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(300);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64');
  expect(sig.split(' ')).toContain(`v1,${expected}`);
}

describe('postWebhook: delivery and signature', () => {
  it('POSTs the JSON body with Standard Webhooks headers that verify', async () => {
    const rx = await receiver(ok);
    const msgId = `msg_${randomUUID()}`;
    const body = { type: 'contact.tagged', data: { name: 'Zoë', tags: ['vip'] } };
    const result = await post(`${rx.url}/hooks/in?x=1`, { body, msgId });

    expect(result.status).toBe(200);
    expect(result.body).toBe('{"received":true}');
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(rx.requests).toHaveLength(1);
    const r = rx.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/hooks/in?x=1');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['user-agent']).toBe('Moxora-Webhooks/1');
    expect(r.headers['webhook-id']).toBe(msgId);
    expect(JSON.parse(r.body)).toEqual(body);
    expectSigned(r, SECRET);
    // A tampered body or another secret does not verify.
    expect(() => expectSigned({ ...r, body: `${r.body} ` }, SECRET)).toThrow();
    expect(() => expectSigned(r, `whsec_${randomBytes(32).toString('base64')}`)).toThrow();
  });

  it('signs with the organisation secret from webhookSecretFor', async () => {
    const keys = createKeyring([randomBytes(32)]);
    const orgA = randomUUID();
    const secret = webhookSecretFor(keys, orgA);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(webhookSecretFor(keys, orgA)).toBe(secret);
    expect(webhookSecretFor(keys, randomUUID())).not.toBe(secret);
    expect(webhookSecretFor(createKeyring([randomBytes(32)]), orgA)).not.toBe(secret);

    const rx = await receiver(ok);
    await post(rx.url, { secret });
    expectSigned(rx.requests[0]!, secret);
  });

  it('accepts any 2xx', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    expect(await post(rx.url)).toMatchObject({ status: 204, body: '' });
  });

  it('delivers over https, verifying the certificate for the host name while connecting to the checked address', async () => {
    const rx = await receiver(ok, '127.0.0.1', true);
    const asked: string[] = [];
    const resolver = async (hostname: string) => {
      asked.push(hostname);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const url = `https://hooks.example.test:${rx.port}/in`;
    const result = await post(url, { resolver, ca: TEST_CERT });
    expect(result.status).toBe(200);
    expect(asked).toEqual(['hooks.example.test']);
    expectSigned(rx.requests[0]!, SECRET);

    // Without trusting the test CA the certificate is refused (a connection error: retryable).
    const err = await failure(post(url, { resolver }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/hooks\.example\.test:\d+ \([A-Z_]*CERT[A-Z_]*\)/);
  });

  it('refuses an unusable message id or secret without connecting', async () => {
    const rx = await receiver(ok);
    expect(await failure(post(rx.url, { msgId: 'bad\r\nx-injected: 1' }))).toMatchObject({
      retryable: false,
    });
    expect(await failure(post(rx.url, { msgId: '' }))).toMatchObject({ retryable: false });
    expect(await failure(post(rx.url, { secret: 'whsec_' }))).toMatchObject({ retryable: false });
    expect(rx.connections()).toBe(0);
  });

  it('refuses a body over 256 KB without connecting', async () => {
    const rx = await receiver(ok);
    const err = await failure(post(rx.url, { body: { blob: 'x'.repeat(300_000) } }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/bytes/);
    expect(rx.connections()).toBe(0);
  });
});

describe('postWebhook: answers', () => {
  async function statusServer() {
    return receiver((req, res) => {
      res.writeHead(Number(req.url!.slice(1)));
      res.end('nope');
    });
  }

  it.each([400, 401, 403, 404, 410, 422])('%i is not retryable', async (status) => {
    const rx = await statusServer();
    const err = await failure(post(`${rx.url}/${status}`));
    expect(err).toMatchObject({ retryable: false, status });
    expect(err.message).not.toContain(SECRET.slice(6));
  });

  it.each([408, 429, 500, 502, 503])('%i is retryable', async (status) => {
    const rx = await statusServer();
    const err = await failure(post(`${rx.url}/${status}`));
    expect(err).toMatchObject({ retryable: true, status });
  });

  it('times out (retryable) when the receiver never answers', async () => {
    const rx = await receiver(() => {
      /* never answers */
    });
    const started = performance.now();
    const err = await failure(post(rx.url, { timeoutMs: 300 }));
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/timed out after 300 ms/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('times out when the body never ends (the deadline covers the whole answer)', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const err = await failure(post(rx.url, { timeoutMs: 300 }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/timed out/);
  });

  it('reports a refused connection as retryable', async () => {
    const rx = await receiver(ok);
    const port = rx.port;
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    const err = await failure(post(`http://127.0.0.1:${port}/`));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('reads the answer up to maxResponseBytes and cuts it there', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 20; i++) res.write('a'.repeat(10_000));
      res.end();
    });
    const small = await post(rx.url, { maxResponseBytes: 1000 });
    expect(small.status).toBe(200);
    expect(small.body).toBe('a'.repeat(1000));
    const byDefault = await post(rx.url);
    expect(byDefault.body).toHaveLength(DEFAULT_MAX_RESPONSE_BYTES);
  });

  it('does not leave half a character at the cut', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('é'.repeat(1000));
    });
    const result = await post(rx.url, { maxResponseBytes: 1001 });
    expect(result.body).toBe('é'.repeat(500));
  });
});

describe('postWebhook: redirects', () => {
  function redirector(status: number, to: (req: http.IncomingMessage) => string): Handler {
    return (req, res) => {
      res.writeHead(status, { location: to(req) });
      res.end();
    };
  }

  it('follows a 302 to an allowed address with a GET', async () => {
    const target = await receiver(ok);
    const rx = await receiver(redirector(302, () => `${target.url}/moved`));
    const result = await post(rx.url);
    expect(result.status).toBe(200);
    expect(target.requests).toMatchObject([{ method: 'GET', url: '/moved', body: '' }]);
  });

  it('repeats the signed POST on a 307 and a 308', async () => {
    for (const status of [307, 308]) {
      const target = await receiver(ok);
      const rx = await receiver(redirector(status, () => `${target.url}/again`));
      await post(rx.url);
      expect(target.requests).toHaveLength(1);
      const r = target.requests[0]!;
      expect(r.method).toBe('POST');
      expect(r.body).toBe(rx.requests[0]!.body);
      expectSigned(r, SECRET);
    }
  });

  it('follows relative locations, up to 3 redirects and no more', async () => {
    const rx = await receiver((req, res) => {
      const n = Number(req.url!.split('/')[2] ?? '0');
      const limit = Number(req.url!.split('/')[1]);
      if (n < limit) {
        res.writeHead(303, { location: `/${limit}/${n + 1}` });
        res.end();
      } else ok(req, res, '');
    });
    expect((await post(`${rx.url}/3/0`)).status).toBe(200);
    expect(rx.requests.map((r) => r.url)).toEqual(['/3/0', '/3/1', '/3/2', '/3/3']);

    const err = await failure(post(`${rx.url}/4/0`));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/more than 3/);
  });

  it('refuses a redirect to 127.0.0.1 when only the first address is allowed, without connecting', async () => {
    const internal = await receiver(ok, '127.0.0.1');
    const rx = await receiver(
      redirector(302, () => `${internal.url}/admin`),
      '127.0.0.2',
    );
    const err = await failure(post(rx.url, { allowCidrs: ['127.0.0.2/32'] }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/Refused to connect to 127\.0\.0\.1: loopback address is not allowed/);
    expect(rx.requests).toHaveLength(1);
    expect(internal.connections()).toBe(0);
  });

  it('refuses a redirect to a host name that resolves to a refused address', async () => {
    const internal = await receiver(ok, '127.0.0.1');
    const rx = await receiver(
      redirector(307, () => `http://internal.test:${internal.port}/`),
      '127.0.0.2',
    );
    const resolver = async (hostname: string) => {
      expect(hostname).toBe('internal.test');
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const err = await failure(post(rx.url, { allowCidrs: ['127.0.0.2/32'], resolver }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/internal\.test:\d+ \(127\.0\.0\.1\)/);
    expect(internal.connections()).toBe(0);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1/',
    'file:///etc/passwd',
    'gopher://127.0.0.1:6379/_INFO',
    'http://user:hunter2@127.0.0.1/',
  ])('refuses a redirect to %s', async (location) => {
    const rx = await receiver(redirector(302, () => location));
    const err = await failure(post(rx.url));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/Refused/);
    expect(err.message).not.toContain('hunter2');
  });

  it('fails (not retryable) on a redirect without a location', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(302);
      res.end();
    });
    expect(await failure(post(rx.url))).toMatchObject({ retryable: false, status: 302 });
  });
});

describe('postWebhook: address policy', () => {
  it.each([
    'http://127.0.0.1/',
    'https://127.0.0.1/',
    'http://127.1.2.3:8080/',
    'http://localhost/',
    'http://[::1]/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a00:1]/',
    'http://0.0.0.0/',
    'http://0/',
    'http://[::]/',
    'http://100.64.0.1/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[fc00::1]/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'http://192.0.2.1/',
    'http://[64:ff9b::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[::127.0.0.1]/',
  ])('refuses %s with the default configuration', async (url) => {
    const err = await failure(post(url, { allowCidrs: undefined, timeoutMs: 5000 }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^Refused to connect to .*is not allowed$/);
  });

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'ws://example.com/', 'not a url'])(
    'refuses the URL %s',
    async (url) => {
      const err = await failure(post(url));
      expect(err.retryable).toBe(false);
    },
  );

  it('refuses credentials in the URL and does not repeat them', async () => {
    const rx = await receiver(ok);
    const err = await failure(post(`http://hook:hunter2@127.0.0.1:${rx.port}/`));
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('hunter2');
    expect(rx.connections()).toBe(0);
  });

  it('refuses a host name that resolves to loopback', async () => {
    const rx = await receiver(ok);
    const resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const err = await failure(post(`http://hooks.example.test:${rx.port}/`, { allowCidrs: [], resolver }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/hooks\.example\.test:\d+ \(127\.0\.0\.1\): loopback address is not allowed/);
    expect(rx.connections()).toBe(0);
  });

  it('checks every resolved address, not only the first', async () => {
    const rx = await receiver(ok);
    const resolver = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const err = await failure(post(`http://hooks.example.test:${rx.port}/`, { resolver }));
    expect(err.message).toMatch(/10\.0\.0\.7.*private address is not allowed/);
    expect(rx.connections()).toBe(0);
  });

  it('connects to the address it checked: one resolution per connection, none beforehand', async () => {
    const rx = await receiver(ok);
    const asked: string[] = [];
    // A rebinding resolver: allowed the first time, internal afterwards.
    const resolver = async (hostname: string) => {
      asked.push(hostname);
      return [{ address: asked.length === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }];
    };
    const result = await post(`http://hooks.example.test:${rx.port}/in`, { resolver });
    expect(result.status).toBe(200);
    expect(asked).toEqual(['hooks.example.test']);
    expect(rx.requests[0]!.headers.host).toBe(`hooks.example.test:${rx.port}`);
  });

  it('reports a name that does not resolve as retryable', async () => {
    const resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
      });
    };
    const err = await failure(post('http://nowhere.test/', { resolver }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/Could not resolve nowhere\.test/);
  });

  it('rejects an invalid allowCidrs entry', async () => {
    const err = await failure(post('http://127.0.0.1/', { allowCidrs: ['10.0.0.0/99'] }));
    expect(err.retryable).toBe(false);
  });
});

describe('addressRefusal', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['239.1.1.1', 'multicast'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff05::2', 'multicast'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['2001:db8::1', 'reserved'],
    ['not-an-ip', 'not an IP'],
  ])('refuses %s (%s)', (address, why) => {
    expect(addressRefusal(address)).toMatch(new RegExp(why));
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '100.128.0.1',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(addressRefusal(address)).toBeUndefined();
  });

  it('allows what allowCidrs lists, and only that', () => {
    expect(addressRefusal('10.1.2.3', ['10.1.2.0/24'])).toBeUndefined();
    expect(addressRefusal('10.1.3.3', ['10.1.2.0/24'])).toMatch(/private/);
    expect(addressRefusal('::ffff:10.1.2.3', ['10.1.2.0/24'])).toBeUndefined();
    expect(addressRefusal('fd00::5', ['fd00::/64'])).toBeUndefined();
    expect(addressRefusal('127.0.0.1', ['127.0.0.1'])).toBeUndefined();
    expect(addressRefusal('169.254.169.254', ['10.0.0.0/8'])).toMatch(/linkLocal/);
  });
});
