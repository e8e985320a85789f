import type { ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostResolver, ResolvedAddress } from '../../src/net/guarded-lookup.js';
import { safeFetchJson } from '../../src/net/safe-fetch.js';
import type { SafeFetchOptions } from '../../src/net/safe-fetch.js';
import { SafeFetchError } from '../../src/net/safe-fetch-error.js';
import type { Certificate, LoopbackServer } from './loopback-servers.js';
import { json, selfSignedCertificate, startServer } from './loopback-servers.js';

/** A resolver that knows only the names a test gives it, so nothing leaves the machine. */
function resolver(names: Record<string, string | string[]>): HostResolver {
  return async (hostname) => {
    const answer = names[hostname];
    if (answer === undefined) throw Object.assign(new Error(`unknown test host ${hostname}`), { code: 'ENOTFOUND' });
    return (Array.isArray(answer) ? answer : [answer]).map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

async function failure(url: string, options: SafeFetchOptions = {}): Promise<SafeFetchError> {
  try {
    await safeFetchJson(url, options);
  } catch (error) {
    if (error instanceof SafeFetchError) return error;
    throw error;
  }
  throw new Error(`expected ${url} to be refused`);
}

const document = { client_id: 'https://cimd.test/client.json', client_name: 'Test' };

describe('safeFetchJson: addresses', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => json(res, document));
  });
  afterAll(() => server.close());

  // A host name an attacker controls can resolve to anything: each class is refused at connect time.
  const blocked: Array<[string, string]> = [
    ['loopback', '127.0.0.1'],
    ['loopback (elsewhere in 127/8)', '127.1.2.3'],
    ['IPv6 loopback', '::1'],
    ['RFC 1918 10/8', '10.1.2.3'],
    ['RFC 1918 172.16/12', '172.20.0.1'],
    ['RFC 1918 192.168/16', '192.168.1.1'],
    ['RFC 4193 unique local', 'fd12:3456::1'],
    ['link-local', '169.254.10.20'],
    ['IPv6 link-local', 'fe80::1'],
    ['CGNAT 100.64/10', '100.100.100.200'],
    ['unspecified', '0.0.0.0'],
    ['IPv6 unspecified', '::'],
    ['this network 0/8', '0.1.2.3'],
    ['multicast', '224.0.0.1'],
    ['IPv6 multicast', 'ff02::1'],
    ['broadcast', '255.255.255.255'],
    ['cloud metadata', '169.254.169.254'],
    ['AWS IPv6 metadata', 'fd00:ec2::254'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:a9fe:a9fe'],
    ['NAT64 of a private address', '64:ff9b::a00:1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['documentation', '192.0.2.10'],
    ['reserved 240/4', '240.0.0.1'],
  ];

  it.each(blocked)('refuses a host that resolves to %s (%s)', async (_label, address) => {
    const error = await failure('https://evil.test/client.json', { lookup: resolver({ 'evil.test': address }) });
    expect(error.code).toBe('blocked_address');
    expect(error.message).toContain(address);
  });

  it('refuses when any of the answers is special-use, even if another is public', async () => {
    const error = await failure('https://mixed.test/c', { lookup: resolver({ 'mixed.test': ['93.184.216.34', '10.0.0.7'] }) });
    expect(error.code).toBe('blocked_address');
  });

  it.each([
    'https://127.0.0.1/client.json',
    'https://[::1]/client.json',
    'https://169.254.169.254/latest/meta-data',
    'https://[::ffff:127.0.0.1]/client.json',
    'https://[::ffff:a9fe:a9fe]/client.json',
    'https://[fd00:ec2::254]/client.json',
    'https://0.0.0.0/client.json',
    'https://2130706433/client.json',
    'https://0x7f.0.0.1/client.json',
    'https://10.0.0.1/client.json',
  ])('refuses the literal address in %s', async (url) => {
    expect((await failure(url)).code).toBe('blocked_address');
  });

  it('never connects to a refused address (checked at connect time, not after)', async () => {
    const error = await failure(`https://rebind.test:${server.port}/client.json`, { lookup: resolver({ 'rebind.test': '127.0.0.1' }) });
    expect(error.code).toBe('blocked_address');
    expect(server.requests).toHaveLength(0);
  });

  it('keeps metadata and link-local addresses blocked in allowPrivate mode', async () => {
    for (const address of ['169.254.169.254', 'fe80::1', 'fd00:ec2::254']) {
      const error = await failure('https://lab.test/c', { allowPrivate: true, lookup: resolver({ 'lab.test': address }) });
      expect(error.code).toBe('blocked_address');
    }
  });
});

describe('safeFetchJson: schemes and hosts', () => {
  it('refuses http and other schemes', async () => {
    expect((await failure('http://example.com/client.json')).code).toBe('not_https');
    expect((await failure('ftp://example.com/client.json')).code).toBe('not_https');
    expect((await failure('file:///etc/passwd')).code).toBe('not_https');
  });

  it('allows http only to loopback, and only in allowPrivate mode', async () => {
    const lookup = resolver({ 'private.test': '10.0.0.5', 'public.test': '93.184.216.34' });
    expect((await failure('http://private.test/c', { allowPrivate: true, lookup })).code).toBe('not_https');
    expect((await failure('http://public.test/c', { allowPrivate: true, lookup })).code).toBe('not_https');
    expect((await failure('http://10.0.0.5/c', { allowPrivate: true })).code).toBe('not_https');
  });

  it('refuses URLs that are not absolute or carry user information', async () => {
    expect((await failure('/client.json')).code).toBe('invalid_url');
    expect((await failure('https://user:pass@example.com/client.json')).code).toBe('invalid_url');
  });

  it('fetches nothing outside allowedHosts, and still guards the hosts it allows', async () => {
    const lookup = resolver({ 'allowed.test': '10.0.0.1' });
    expect((await failure('https://other.test/c', { allowedHosts: ['allowed.test'], lookup })).code).toBe('host_not_allowed');
    expect((await failure('https://ALLOWED.test/c', { allowedHosts: ['Allowed.Test'], lookup })).code).toBe('blocked_address');
  });
});

describe('safeFetchJson: allowPrivate over loopback http', () => {
  let server: LoopbackServer;
  let target: LoopbackServer;
  beforeAll(async () => {
    target = await startServer((_req, res) => json(res, { stolen: true }));
    server = await startServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/client.json') return json(res, document, { 'cache-control': 'max-age=600' });
      if (path === '/to-private') return void res.writeHead(302, { location: 'http://10.0.0.1/client.json' }).end();
      if (path === '/to-other-host') return void res.writeHead(301, { location: `http://127.0.0.1:${target.port}/client.json` }).end();
      if (path === '/missing') return void res.writeHead(404).end('{}');
      if (path === '/not-json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
      if (path === '/big') return void res.writeHead(200, { 'content-length': '6000' }).end('x'.repeat(6000));
      if (path === '/big-chunked') return bigChunked(res);
      if (path === '/trickle') return trickle(res);
      if (path === '/slow-headers') return; // never answers
      res.writeHead(500).end();
    });
  });
  afterAll(async () => {
    await server.close();
    await target.close();
  });
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  it('fetches the document with Accept: application/json and returns status, headers and body', async () => {
    const response = await safeFetchJson(url('/client.json'), { allowPrivate: true });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(document);
    expect(response.headers['cache-control']).toBe('max-age=600');
    expect(server.requests.at(-1)?.headers.accept).toBe('application/json');
  });

  it('resolves names at connect time too (localhost)', async () => {
    const response = await safeFetchJson(`http://localhost.test:${server.port}/client.json`, {
      allowPrivate: true,
      lookup: resolver({ 'localhost.test': '127.0.0.1' }),
    });
    expect(response.body).toEqual(document);
  });

  it('refuses a redirect, to a private address or to another host, without following it', async () => {
    const before = target.requests.length;
    const toPrivate = await failure(url('/to-private'), { allowPrivate: true });
    expect([toPrivate.code, toPrivate.status]).toEqual(['redirect', 302]);
    const toOther = await failure(url('/to-other-host'), { allowPrivate: true });
    expect([toOther.code, toOther.status]).toEqual(['redirect', 301]);
    expect(target.requests.length).toBe(before);
  });

  it('treats any status but 200 as an error', async () => {
    const error = await failure(url('/missing'), { allowPrivate: true });
    expect([error.code, error.status]).toEqual(['http_status', 404]);
  });

  it('refuses a body that is not JSON', async () => {
    expect((await failure(url('/not-json'), { allowPrivate: true })).code).toBe('invalid_json');
  });

  it('refuses an oversized body announced by Content-Length', async () => {
    expect((await failure(url('/big'), { allowPrivate: true })).code).toBe('too_large');
  });

  it('stops reading an oversized body sent without Content-Length', async () => {
    expect((await failure(url('/big-chunked'), { allowPrivate: true })).code).toBe('too_large');
  });

  it('honours a smaller size limit', async () => {
    expect((await failure(url('/client.json'), { allowPrivate: true, maxBytes: 10 })).code).toBe('too_large');
  });

  it('gives up on a server that trickles its body, after the total time limit', async () => {
    const started = Date.now();
    expect((await failure(url('/trickle'), { allowPrivate: true, timeoutMs: 300 })).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on a server that never answers', async () => {
    expect((await failure(url('/slow-headers'), { allowPrivate: true, timeoutMs: 200 })).code).toBe('timeout');
  });
});

describe('safeFetchJson: a Content-Length that lies', () => {
  it('never reads past the announced length, so a lie cannot smuggle in a bigger body', async () => {
    // A raw socket announces 20 bytes and sends 6000: the extra bytes are never part of the body.
    const raw = createNetServer((socket) => {
      socket.on('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 20\r\nContent-Type: application/json\r\n\r\n');
        socket.end(`{"a":1}${' '.repeat(6000)}`);
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = raw.address() as AddressInfo;
      const response = await safeFetchJson(`http://127.0.0.1:${port}/c`, { allowPrivate: true });
      expect(response.body).toEqual({ a: 1 });
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });
});

describe('safeFetchJson: https on loopback with a test certificate', () => {
  let certificate: Certificate;
  let server: LoopbackServer;
  beforeAll(async () => {
    certificate = selfSignedCertificate(['cimd.test']);
    server = await startServer((_req, res) => json(res, document), certificate);
  });
  afterAll(() => server.close());
  const lookup = resolver({ 'cimd.test': '127.0.0.1' });

  it('fetches over https when the lab allows loopback and trusts the certificate', async () => {
    const response = await safeFetchJson(`https://cimd.test:${server.port}/client.json`, { allowPrivate: true, lookup, ca: certificate.cert });
    expect(response.body).toEqual(document);
  });

  it('refuses the same host without allowPrivate, before connecting', async () => {
    const before = server.requests.length;
    const error = await failure(`https://cimd.test:${server.port}/client.json`, { lookup, ca: certificate.cert });
    expect(error.code).toBe('blocked_address');
    expect(server.requests.length).toBe(before);
  });

  it('refuses a certificate it does not trust', async () => {
    const error = await failure(`https://cimd.test:${server.port}/client.json`, { allowPrivate: true, lookup });
    expect(error.code).toBe('network_error');
  });
});

function bigChunked(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (let i = 0; i < 10; i++) res.write('x'.repeat(1000));
  res.end();
}

function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('[');
  const timer = setInterval(() => res.write('1,'), 50);
  res.on('close', () => clearInterval(timer));
}
