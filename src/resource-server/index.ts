/**
 * `authgate/resource-server`: protect an API or an MCP server with Authgate's access tokens.
 * Depends on jose and node: modules only, never on the rest of Authgate.
 */
export { protectResource } from './protect-resource.js';
export type { ProtectResourceOptions, ProtectedResource, ScopeOptions } from './protect-resource.js';
export { ResourceServerError } from './errors.js';
export type { ResourceServerErrorCode } from './errors.js';
export type { AccessTokenClaims, AccessTokenInfo } from './token-verifier.js';
export { ACCEPTED_ALGORITHMS } from './token-verifier.js';
export type { ErrorResponse } from './www-authenticate.js';
export type { ProtectedResourceMetadata } from './protected-resource-metadata.js';
export { metadataPathFor, metadataUrlFor } from './protected-resource-metadata.js';
export type { MetadataHandlers } from './metadata-handlers.js';
export type { TokenBearingRequest } from './bearer-token.js';
export type {
  ExpressLikeRequest,
  ExpressMiddleware,
  FastifyHook,
  FastifyLikeInstance,
  FastifyLikeReply,
  FastifyLikeRequest,
  FastifyPlugin,
} from './http-types.js';
