// Benchmark peer: node-oidc-provider (v9) issuing JWT access tokens (BENCH_ALG: ES256 or
// RS256) with the client credentials grant, and its introspection endpoint. It only USES
// oidc-provider as a library; the configuration mirrors what Authgate does for the same
// request so the numbers compare like for like.
//
// env: those of kit.mjs; BENCH_OIDC_TOKEN_FORMAT (jwt, or opaque — the default for the
// introspect scenario, because oidc-provider keeps no record of JWT access tokens and so
// cannot introspect them).
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { announce, benchEnv, onStop } from './kit.mjs';

const bench = benchEnv();
const port = bench.port;
const clientId = 'bench-client';
const clientSecret = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const issuer = `http://127.0.0.1:${port}`;
const resource = 'urn:authgate:bench';
const tokenFormat = process.env.BENCH_OIDC_TOKEN_FORMAT ?? (bench.scenario === 'introspect' ? 'opaque' : 'jwt');

const { privateKey } = await generateKeyPair(bench.alg, { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), alg: bench.alg, use: 'sig', kid: 'bench' };

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
  // The only key is of BENCH_ALG, so everything the provider signs uses it.
  clientDefaults: { id_token_signed_response_alg: bench.alg },
  jwks: { keys: [signingKey] },
  cookies: { keys: ['bench-cookie-key'] },
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // No `resource` parameter in the request: every client credentials token is for this API.
      defaultResource: () => resource,
      getResourceServerInfo: () => ({
        scope: '',
        audience: resource,
        accessTokenTTL: 3600,
        accessTokenFormat: tokenFormat,
        ...(tokenFormat === 'jwt' ? { jwt: { sign: { alg: bench.alg } } } : {}),
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
  announce({ port: address.port, clientId, clientSecret, tokenPath: '/token', introspectPath: '/token/introspection', tokenFormat });
});
onStop(
  () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
);
