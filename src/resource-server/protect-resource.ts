import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FetchImplementation } from 'jose';
import type { RequestGuard } from './adapters.js';
import { expressGuard, fastifyGuard, guardNodeRequest } from './adapters.js';
import type { TokenBearingRequest } from './bearer-token.js';
import { bearerTokenFrom } from './bearer-token.js';
import type { ExpressMiddleware, FastifyHook } from './http-types.js';
import type { MetadataHandlers } from './metadata-handlers.js';
import { metadataHandlers } from './metadata-handlers.js';
import type { ProtectedResourceMetadata } from './protected-resource-metadata.js';
import { metadataPathFor, metadataUrlFor, protectedResourceMetadata } from './protected-resource-metadata.js';
import { checkProtectResourceOptions } from './protect-resource-options.js';
import type { AccessTokenInfo, TokenVerifier } from './token-verifier.js';
import { createTokenVerifier } from './token-verifier.js';
import type { ErrorResponse } from './www-authenticate.js';
import { errorResponse } from './www-authenticate.js';

export interface ProtectResourceOptions {
  /** The authorization server's issuer, exactly as in its tokens' `iss` (Authgate's APP_URL). */
  issuer: string;
  /** This resource's identifier (RFC 8707), as registered with `authgate resource:create --uri`. */
  resource: string;
  /** Scopes every request needs. */
  scopes?: readonly string[];
  /** Default `${issuer}/oauth/jwks`. */
  jwksUri?: string;
  /** Audiences accepted in `aud` (any one of them suffices); default the resource (a path-less one with or without its `/`). */
  audience?: string | readonly string[];
  /** Allowed clock skew for exp, nbf and iat; default 5 seconds. */
  clockToleranceSeconds?: number;
  /** `resource_name` in the metadata document. */
  resourceName?: string;
  /** `scopes_supported` in the metadata document; default `scopes`. */
  scopesSupported?: readonly string[];
  /** The fetch used for the JWKS; default the global fetch. */
  fetch?: FetchImplementation;
  /** Least seconds between two JWKS fetches caused by an unknown key id; default 30. */
  jwksCooldownSeconds?: number;
  /** Seconds a fetched JWKS is trusted before it is fetched again; default 600. */
  jwksCacheMaxAgeSeconds?: number;
}

export interface ScopeOptions {
  /** Scopes this request needs, instead of the resource's default ones. */
  scopes?: readonly string[];
}

export interface ProtectedResource {
  readonly resource: string;
  readonly scopes: readonly string[];
  /** The RFC 9728 document, and where it is served (RFC 9728 §3.1 path-aware well-known URL). */
  readonly metadata: ProtectedResourceMetadata;
  readonly metadataPath: string;
  readonly metadataUrl: string;
  /** Verifies a token; throws a ResourceServerError (`invalid_token`, `insufficient_scope`, …). */
  verify(token: string, options?: ScopeOptions): Promise<AccessTokenInfo>;
  /** Reads the token from a request's Authorization header and verifies it. */
  authenticate(request: TokenBearingRequest, options?: ScopeOptions): Promise<AccessTokenInfo>;
  /** The 400/401/403/503 answer for an error thrown by verify or authenticate. */
  errorResponse(error: unknown, options?: ScopeOptions): ErrorResponse;
  node(req: IncomingMessage, res: ServerResponse, options?: ScopeOptions): Promise<AccessTokenInfo | undefined>;
  express(options?: ScopeOptions): ExpressMiddleware;
  /** Hook for `app.addHook('onRequest', …)` or a route's `onRequest`/`preHandler`. */
  readonly fastify: FastifyHook;
  /** The same resource (sharing the key cache) requiring other scopes, e.g. for one route. */
  withScopes(scopes: readonly string[]): ProtectedResource;
  readonly serveMetadata: MetadataHandlers;
}

/**
 * Protects an API or an MCP server with Authgate's access tokens: verifies them against the
 * issuer's JWKS (signature, issuer, audience = this resource, times, scopes), answers refusals
 * with RFC 6750 / RFC 9728 challenges and serves this resource's RFC 9728 metadata.
 */
export function protectResource(options: ProtectResourceOptions): ProtectedResource {
  const settings = checkProtectResourceOptions(options);
  const verifier = createTokenVerifier(settings);
  const metadata = protectedResourceMetadata({
    resource: settings.resource,
    issuer: settings.issuer,
    scopesSupported: options.scopesSupported ?? settings.scopes,
    ...(options.resourceName === undefined ? {} : { resourceName: options.resourceName }),
  });
  return assemble({ verifier, metadata, scopes: settings.scopes });
}

interface Parts {
  verifier: TokenVerifier;
  metadata: ProtectedResourceMetadata;
  scopes: readonly string[];
}

function assemble(parts: Parts): ProtectedResource {
  const { verifier, metadata } = parts;
  const metadataPath = metadataPathFor(metadata.resource);
  const metadataUrl = metadataUrlFor(metadata.resource);
  const scopesFor = (options?: ScopeOptions): readonly string[] => options?.scopes ?? parts.scopes;
  const verify = (token: string, options?: ScopeOptions) => verifier(token, scopesFor(options));
  const authenticate = async (request: TokenBearingRequest, options?: ScopeOptions) => verify(bearerTokenFrom(request), options);
  const errorResponseFor = (error: unknown, options?: ScopeOptions) => errorResponse(error, { resourceMetadataUrl: metadataUrl, scopes: scopesFor(options) });
  const guardFor = (options?: ScopeOptions): RequestGuard => ({
    metadataPath,
    authenticate: (request) => authenticate(request, options),
    errorResponse: (error) => errorResponseFor(error, options),
  });
  return {
    resource: metadata.resource,
    scopes: parts.scopes,
    metadata,
    metadataPath,
    metadataUrl,
    verify,
    authenticate,
    errorResponse: errorResponseFor,
    node: (req, res, options) => guardNodeRequest(guardFor(options), req, res),
    express: (options) => expressGuard(guardFor(options)),
    fastify: fastifyGuard(guardFor()),
    withScopes: (scopes) => assemble({ ...parts, scopes }),
    serveMetadata: metadataHandlers(metadata, metadataPath),
  };
}
