// Benchmark peer: node-oidc-provider (v9) issuing ES256 JWT access tokens with the
// client credentials grant. It only USES oidc-provider as a library; the configuration
// mirrors what Authgate does for the same request so the numbers compare like for like.
//
// env: PORT (required), BENCH_CLIENT_ID, BENCH_CLIENT_SECRET.
// Prints one JSON line `{"ready":true,...}` on stdout once listening.
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT ?? 0);
const clientId = process.env.BENCH_CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.BENCH_CLIENT_SECRET ?? 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const issuer = `http://127.0.0.1:${port}`;
const resource = 'urn:authgate:bench';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench-es256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  // The only key is EC P-256, so everything the provider signs defaults to ES256.
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [signingKey] },
  cookies: { keys: ['bench-cookie-key'] },
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // No `resource` parameter in the request: every client credentials token is for this API.
      defaultResource: () => resource,
      getResourceServerInfo: () => ({
        scope: '',
        audience: resource,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
      useGrantedResource: () => true,
    },
  },
});
// Keep the event loop's work comparable with Authgate's silent logger: no per-request logging.
provider.on('server_error', (_ctx, error) => console.error(error));

const server = provider.listen(port, '127.0.0.1');
server.on('listening', () => {
  const address = server.address();
  console.log(JSON.stringify({ ready: true, port: address.port, clientId, clientSecret, tokenPath: '/token' }));
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
