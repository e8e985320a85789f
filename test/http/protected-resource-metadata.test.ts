import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { freePort } from '../helpers/free-port.js';

const insecure = { [oauth.allowInsecureRequests]: true };
const PASSWORD = 'correct horse battery';

/**
 * A client that knows only Authgate's API URL finds everything else from what the server
 * advertises (RFC 9728 → RFC 8414), gets a token for that resource and calls the API with it.
 */
describe("Authgate's own API, found from its protected resource metadata", () => {
  let t: TestApp;
  let base: string;
  let client: oauth.Client;
  let secret: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { APP_URL: base, APP_NAME: 'Acme Accounts', OAUTH_PASSWORD_GRANT: 'true', TOKEN_RATE_LIMIT: '0' } });
    await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD });
    const registered = await t.services.clients.register({ userId: null, name: 'CLI', redirectUris: [], confidential: true, kind: 'password' });
    client = { client_id: registered.client.id, token_endpoint_auth_method: 'client_secret_basic' };
    secret = registered.plainSecret ?? '';
    await t.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('from a 401 challenge to the user, through every advertised value', async () => {
    const refused = await fetch(`${base}/api/user`, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(refused.headers.get('www-authenticate') ?? '')?.[1];
    expect(metadataUrl).toBe(`${base}/.well-known/oauth-protected-resource`);

    const resource = await oauth.processResourceDiscoveryResponse(new URL(base), await oauth.resourceDiscoveryRequest(new URL(base), insecure));
    expect(resource.resource_name).toBe('Acme Accounts');
    expect(resource.bearer_methods_supported).toEqual(['header']);
    const [issuer] = resource.authorization_servers ?? [];
    const as = await oauth.processDiscoveryResponse(new URL(issuer!), await oauth.discoveryRequest(new URL(issuer!), { algorithm: 'oauth2', ...insecure }));
    expect(as.grant_types_supported).toContain('password');

    const scope = resource.scopes_supported?.[0];
    expect(scope).toEqual(expect.any(String));
    const response = await fetch(as.token_endpoint!, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'password', username: 'ada@example.com', password: PASSWORD, scope: scope!, resource: resource.resource }),
    });
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, response);
    // scopes_supported and resource: the token carries that scope and is bound to this API.
    expect(decodeJwt(tokens.access_token)).toMatchObject({ scopes: [scope], aud: resource.resource });

    // bearer_methods_supported: the Authorization header.
    const me = await fetch(`${base}/api/user`, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
  });
});
