import { hash as bcryptHash } from '@node-rs/bcrypt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateClient } from '../../src/oauth/client-authentication.js';
import type { CoreServices } from './fixtures.js';
import { basic, confidentialClient, coreServices, oauthFailure, publicClient } from './fixtures.js';

describe('client authentication', () => {
  let core: CoreServices;
  beforeEach(async () => {
    core = await coreServices();
  });
  afterEach(() => core.close());

  const authenticate = (authorization: string | undefined, params: Record<string, string>, allowPublic = false) =>
    authenticateClient({ authorization, params }, core.clientAuth, { allowPublic });

  it('accepts HTTP Basic and body credentials and says which was used', async () => {
    const { client, secret } = await confidentialClient(core);
    expect(await authenticate(basic(client.id, secret), {})).toMatchObject({ client: { id: client.id }, method: 'client_secret_basic' });
    expect(await authenticate(undefined, { client_id: client.id, client_secret: secret })).toMatchObject({
      client: { id: client.id },
      method: 'client_secret_post',
    });
  });

  it('form-urlencode-decodes the Basic id and secret (RFC 6749 §2.3.1)', async () => {
    const { client } = await confidentialClient(core);
    const secret = 'p@ss word:with/odd+chars%';
    const { hashClientSecret } = await import('../../src/oauth/secrets.js');
    await core.storage.repositories.clients.updateSecretHash(client.id, hashClientSecret(secret, core.services.appKey));
    await core.core.clientDirectory.invalidate(client.id);
    expect((await authenticate(basic(client.id, secret), {})).client.id).toBe(client.id);
    // The same secret sent raw (unencoded) in the header is a different secret.
    const raw = `Basic ${Buffer.from(`${client.id}:${secret}`).toString('base64')}`;
    expect((await oauthFailure(authenticate(raw, {}))).code).toBe('invalid_client');
  });

  it('answers a bad secret, an unknown client and a revoked client with invalid_client', async () => {
    const { client, secret } = await confidentialClient(core);
    const bad = await oauthFailure(authenticate(undefined, { client_id: client.id, client_secret: `${secret}x` }));
    expect(bad.toJSON()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' });
    expect(bad.status).toBe(401);
    expect(bad.headers).toEqual({});
    const unknown = await oauthFailure(authenticate(basic('00000000-0000-0000-0000-000000000000', secret), {}));
    // RFC 6749 §5.2: the challenge goes back to a client that used the Authorization header.
    expect(unknown.headers).toEqual({ 'WWW-Authenticate': 'Basic realm="OAuth"' });
    await core.storage.repositories.clients.revoke(client.id);
    await core.core.clientDirectory.invalidate(client.id);
    expect((await oauthFailure(authenticate(basic(client.id, secret), {}))).code).toBe('invalid_client');
  });

  it('refuses two ways of authenticating at once with invalid_request naming the parameter', async () => {
    const { client, secret } = await confidentialClient(core);
    const both = await oauthFailure(authenticate(basic(client.id, secret), { client_id: client.id, client_secret: secret }));
    expect(both.code).toBe('invalid_request');
    expect(both.hint).toBe('Check the `client_secret` parameter');
    const other = await oauthFailure(authenticate(basic(client.id, secret), { client_id: 'someone-else' }));
    expect(other.hint).toBe('Check the `client_id` parameter');
    // The same client_id repeated in the body is no second authentication.
    expect((await authenticate(basic(client.id, secret), { client_id: client.id })).client.id).toBe(client.id);
  });

  it('requires a client_id when no credentials are sent, even beside a bearer token', async () => {
    const error = await oauthFailure(authenticate('Bearer abc', {}));
    expect(error.toJSON()).toMatchObject({ error: 'invalid_request', hint: 'Check the `client_id` parameter' });
  });

  it('lets a public client in with its client_id only where the caller allows it', async () => {
    const client = await publicClient(core);
    expect(await authenticate(undefined, { client_id: client.id }, true)).toMatchObject({ method: 'none' });
    expect((await oauthFailure(authenticate(undefined, { client_id: client.id }, false))).code).toBe('invalid_client');
  });

  it('verifies a bcrypt secret imported from Passport once and re-stores it in the fast form', async () => {
    const secret = 'imported-passport-secret-0123456789abcdef';
    const { client } = await confidentialClient(core, { secretHash: (await bcryptHash(secret, 4)).replace(/^\$2b\$/, '$2y$') });
    await authenticate(undefined, { client_id: client.id, client_secret: secret });
    const stored = await core.storage.repositories.clients.findById(client.id);
    expect(stored?.secretHash).toMatch(/^hmac-sha256\$/);
    // The cached record was invalidated, so the next request sees (and accepts) the new hash.
    expect((await core.core.clientDirectory.find(client.id))?.secretHash).toBe(stored?.secretHash);
    expect((await authenticate(undefined, { client_id: client.id, client_secret: secret })).client.id).toBe(client.id);
  });
});
