import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../helpers/services.js';
import type { CoreServices } from '../fixtures.js';
import { basic, confidentialClient, coreServices, jwtPayload, oauthFailure, publicClient } from '../fixtures.js';

describe.each(testDatabases())('client_credentials grant on $label', ({ label }) => {
  let core: CoreServices;
  beforeEach(async () => {
    core = await coreServices(label);
  });
  afterEach(() => core.close());

  const exchange = (params: Record<string, string>, authorization?: string) =>
    core.services.tokens.exchange({ authorization, params: { grant_type: 'client_credentials', ...params } });

  it('issues an access token without a refresh token, for the client itself', async () => {
    const { client, secret } = await confidentialClient(core);
    const response = await exchange({ scope: 'users:read' }, basic(client.id, secret));
    expect(Object.keys(response)).toEqual(['token_type', 'expires_in', 'access_token']);
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = jwtPayload(response.access_token);
    expect(claims).toMatchObject({ sub: client.id, aud: client.id, client_id: client.id, scopes: ['users:read'], scope: 'users:read' });
    const stored = await core.storage.repositories.accessTokens.findById(String(claims.jti));
    expect(stored).toMatchObject({ userId: null, clientId: client.id, scopes: ['users:read'], revoked: false, grantId: null });
  });

  it('allows `*`, applies the default scopes when none is named, and rejects undeclared scopes', async () => {
    const { client, secret } = await confidentialClient(core);
    const all = await exchange({ client_id: client.id, client_secret: secret, scope: '*' });
    expect(jwtPayload(all.access_token).scopes).toEqual(['*']);
    const none = await exchange({ client_id: client.id, client_secret: secret });
    expect(jwtPayload(none.access_token).scopes).toEqual([]);
    const error = await oauthFailure(exchange({ client_id: client.id, client_secret: secret, scope: 'users:read admin' }));
    expect(error.toJSON()).toEqual({
      error: 'invalid_scope',
      error_description: 'The requested scope is invalid, unknown, or malformed',
      hint: 'Check the `admin` scope',
      message: 'The requested scope is invalid, unknown, or malformed',
    });
  });

  it('refuses public clients (invalid_client) and clients limited to other grants (unauthorized_client)', async () => {
    const spa = await publicClient(core);
    expect((await oauthFailure(exchange({ client_id: spa.id }))).code).toBe('invalid_client');
    const { client, secret } = await confidentialClient(core, { grantTypes: ['authorization_code'] });
    const limited = await oauthFailure(exchange({ client_id: client.id, client_secret: secret }));
    expect(limited.code).toBe('unauthorized_client');
    expect(limited.status).toBe(400);
  });

  it('refuses the personal access client', async () => {
    const { client, secret } = await confidentialClient(core, { personalAccessClient: true, grantTypes: null });
    expect((await oauthFailure(exchange({ client_id: client.id, client_secret: secret }))).code).toBe('unauthorized_client');
  });
});
