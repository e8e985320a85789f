import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../helpers/services.js';
import type { CoreServices } from '../fixtures.js';
import { confidentialClient, coreServices, jwtPayload, oauthFailure, registeredUser } from '../fixtures.js';

describe.each(testDatabases())('password grant on $label', ({ label }) => {
  let core: CoreServices;
  beforeEach(async () => {
    core = await coreServices(label, { OAUTH_PASSWORD_GRANT: 'true' });
  });
  afterEach(() => core.close());

  const exchange = (params: Record<string, string>) => core.services.tokens.exchange({ authorization: undefined, params: { grant_type: 'password', ...params } });

  it('issues a token pair for a password client; username is the email', async () => {
    const user = await registeredUser(core.services);
    const { client, secret } = await confidentialClient(core, { passwordClient: true });
    const response = await exchange({ client_id: client.id, client_secret: secret, username: user.email, password: 'correct-horse', scope: '*' });
    expect(Object.keys(response)).toEqual(['token_type', 'expires_in', 'access_token', 'refresh_token']);
    const claims = jwtPayload(response.access_token);
    expect(claims).toMatchObject({ sub: String(user.id), aud: client.id, scopes: ['*'] });
    const stored = await core.storage.repositories.accessTokens.findById(String(claims.jti));
    expect(stored?.grantId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers bad credentials with invalid_grant in league wording', async () => {
    const user = await registeredUser(core.services);
    const { client, secret } = await confidentialClient(core, { passwordClient: true });
    for (const username of [user.email, 'nobody@example.com']) {
      const error = await oauthFailure(exchange({ client_id: client.id, client_secret: secret, username, password: 'wrong-password' }));
      expect(error.toJSON()).toEqual({
        error: 'invalid_grant',
        error_description: 'The user credentials were incorrect.',
        message: 'The user credentials were incorrect.',
      });
      expect(error.status).toBe(400);
    }
  });

  it('requires username and password', async () => {
    const { client, secret } = await confidentialClient(core, { passwordClient: true });
    expect((await oauthFailure(exchange({ client_id: client.id, client_secret: secret, password: 'x' }))).hint).toBe('Check the `username` parameter');
    expect((await oauthFailure(exchange({ client_id: client.id, client_secret: secret, username: 'a@b.c' }))).hint).toBe('Check the `password` parameter');
  });

  it('lets a public password client in with its client_id alone (RFC 6749 §4.3.2)', async () => {
    const user = await registeredUser(core.services);
    const client = await core.storage.repositories.clients.create({
      userId: null, name: 'Mobile', secretHash: null, redirectUris: [], passwordClient: true,
    });
    const response = await exchange({ client_id: client.id, username: user.email, password: 'correct-horse' });
    expect(jwtPayload(response.access_token)).toMatchObject({ sub: String(user.id), aud: client.id });
    expect(response.refresh_token).toEqual(expect.any(String));
  });

  it('is only for password clients', async () => {
    const user = await registeredUser(core.services);
    const { client, secret } = await confidentialClient(core);
    const error = await oauthFailure(exchange({ client_id: client.id, client_secret: secret, username: user.email, password: 'correct-horse' }));
    expect(error.code).toBe('unauthorized_client');
  });
});

describe('password grant switched off', () => {
  let core: CoreServices;
  beforeEach(async () => {
    core = await coreServices('sqlite');
  });
  afterEach(() => core.close());

  it('is an unsupported grant type unless OAUTH_PASSWORD_GRANT is on', async () => {
    const user = await registeredUser(core.services);
    const { client, secret } = await confidentialClient(core, { passwordClient: true });
    const params = { grant_type: 'password', client_id: client.id, client_secret: secret, username: user.email, password: 'correct-horse' };
    expect((await oauthFailure(core.services.tokens.exchange({ authorization: undefined, params }))).code).toBe('unsupported_grant_type');
  });

  it('never answers personal_access', async () => {
    const { client, secret } = await confidentialClient(core, { personalAccessClient: true });
    const params = { grant_type: 'personal_access', client_id: client.id, client_secret: secret };
    expect((await oauthFailure(core.services.tokens.exchange({ authorization: undefined, params }))).toJSON()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'The authorization grant type is not supported by the authorization server.',
      hint: 'Check that all required parameters have been provided',
      message: 'The authorization grant type is not supported by the authorization server.',
    });
  });
});
