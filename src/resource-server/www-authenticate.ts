import { ResourceServerError } from './errors.js';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}

export interface ChallengeContext {
  /** RFC 9728 §5.1: where a client finds this resource's metadata, and so its authorization server. */
  resourceMetadataUrl: string;
  /** The scopes the resource needs, advertised on every 401 (MCP 2025-11-25, "Scope Selection Strategy"). */
  scopes: readonly string[];
}

/**
 * The HTTP answer for a refused request: status, `WWW-Authenticate` (RFC 6750 §3 with RFC 9728
 * §5.1's `resource_metadata`) and a small JSON body. Anything that is not a ResourceServerError
 * is a bug or an outage on our side: a 500 that says nothing about the token.
 */
export function errorResponse(error: unknown, context: ChallengeContext): ErrorResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (!(error instanceof ResourceServerError)) {
    return { status: 500, headers, body: { error: 'server_error', error_description: 'The request could not be processed' } };
  }
  const challenge = bearerChallenge(error, context);
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  return { status: error.status, headers, body: { error: error.code, error_description: error.description } };
}

function bearerChallenge(error: ResourceServerError, context: ChallengeContext): string | undefined {
  if (error.code === 'temporarily_unavailable') return undefined;
  const parameters: Array<[string, string]> = [];
  // RFC 6750 §3.1: a request that carried no token gets a challenge without an error code.
  if (error.code !== 'missing_token') {
    parameters.push(['error', error.code], ['error_description', error.description]);
  }
  // RFC 6750 §3: `scope` is the scope needed; on 403 the one the token lacked.
  const scopes = error.code === 'insufficient_scope' ? error.requiredScopes : context.scopes;
  if (scopes.length > 0) parameters.push(['scope', scopes.join(' ')]);
  parameters.push(['resource_metadata', context.resourceMetadataUrl]);
  return `Bearer ${parameters.map(([name, value]) => `${name}="${quotable(value)}"`).join(', ')}`;
}

/** RFC 6750 §3: these values are quoted strings of %x20-21 / %x23-5B / %x5D-7E: no `"`, no `\`. */
function quotable(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
}
