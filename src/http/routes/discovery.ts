import type { FastifyInstance } from 'fastify';
import { publicJwks } from '../../oauth/signing-keys.js';
import type { Services } from '../../services.js';
import type { RouteModule } from './index.js';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

/**
 * RFC 8414 metadata, served as the OpenID configuration too. Endpoints that other modules provide (authorize, userinfo, device) are
 * listed only when their route exists, so the document never names what does not work.
 */
function authorizationServerMetadata(app: FastifyInstance, services: Services): Record<string, unknown> {
  const { config } = services;
  const base = config.appUrl;
  const has = (method: 'GET' | 'POST', url: string) => app.hasRoute({ method, url });
  const canAuthorize = has('GET', '/oauth/authorize');
  const device = has('POST', '/oauth/device/code');
  const grantTypes = services.tokens.grants.map((grant) => grant.grantType).filter(
    (grant) => (grant !== 'authorization_code' || canAuthorize) && (!grant.includes('device_code') || device),
  );
  const implicit = canAuthorize && config.implicitGrant;
  return {
    issuer: base,
    ...(canAuthorize ? { authorization_endpoint: `${base}/oauth/authorize` } : {}),
    token_endpoint: `${base}/oauth/token`,
    jwks_uri: `${base}/oauth/jwks`,
    revocation_endpoint: `${base}/oauth/revoke`,
    introspection_endpoint: `${base}/oauth/introspect`,
    ...(has('GET', '/oauth/userinfo') ? { userinfo_endpoint: `${base}/oauth/userinfo` } : {}),
    ...(device ? { device_authorization_endpoint: `${base}/oauth/device/code` } : {}),
    // RFC 7591 §3: only when OAUTH_DYNAMIC_REGISTRATION is open or token.
    ...(has('POST', '/oauth/register') ? { registration_endpoint: `${base}/oauth/register` } : {}),
    scopes_supported: services.scopes.list().map((scope) => scope.id),
    response_types_supported: canAuthorize ? ['code', ...(implicit ? ['token'] : [])] : [],
    response_modes_supported: canAuthorize ? ['query', ...(implicit ? ['fragment'] : [])] : [],
    grant_types_supported: [...grantTypes, ...(implicit ? ['implicit'] : [])],
    // RFC 9700 §2.1.1: advertise S256 only; `plain` stays accepted from confidential clients (Passport apps use it).
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    // RFC 7662 §4: only confidential clients may introspect.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    authorization_response_iss_parameter_supported: true,
    // draft-ietf-oauth-client-id-metadata-document: an https client_id is resolved by fetching it.
    ...(config.clientMetadataDocuments && canAuthorize ? { client_id_metadata_document_supported: true } : {}),
    // OpenID Connect Discovery 1.0 §3. In both documents: clients that discover by RFC 8414
    // validate ID tokens against these too.
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [services.keys.active.alg],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'name', 'updated_at', 'email', 'email_verified'],
  };
}

/** Discovery documents and the JWKS (RFC 8414, OIDC Discovery, RFC 7517). */
export const discoveryRoutes: RouteModule = (app, services) => {
  const schema = (summary: string) => ({ schema: { summary, tags: ['Discovery'] } });
  app.get('/.well-known/oauth-authorization-server', schema('Authorization server metadata (RFC 8414)'), async () =>
    authorizationServerMetadata(app, services),
  );
  app.get('/.well-known/openid-configuration', schema('OpenID Connect discovery'), async () =>
    authorizationServerMetadata(app, services),
  );
  app.get('/oauth/jwks', schema('The public signing keys (JWKS)'), async () => publicJwks(services.keys));
  app.get('/.well-known/oauth-protected-resource', schema('Protected resource metadata of this server’s own API (RFC 9728)'), async () =>
    protectedResourceMetadata(services),
  );
};

/**
 * RFC 9728 for Authgate's own API (`/api/*`, userinfo, the management routes): the resource is
 * APP_URL, its authorization server is Authgate itself, and its tokens come in the header.
 */
function protectedResourceMetadata(services: Services): Record<string, unknown> {
  const { config } = services;
  return {
    resource: config.appUrl,
    authorization_servers: [config.appUrl],
    scopes_supported: services.scopes.list().map((scope) => scope.id),
    bearer_methods_supported: ['header'],
    resource_name: config.appName,
  };
}
