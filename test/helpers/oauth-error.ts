import { expect } from 'vitest';

/** league/oauth2-server's descriptions (Passport's wording), by error code. */
export const OAUTH_DESCRIPTIONS = {
  invalid_request:
    'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
  invalid_client: 'Client authentication failed',
  invalid_grant:
    'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  unauthorized_client: 'The authenticated client is not authorized to use this authorization grant type.',
  invalid_target: 'The requested resource is invalid, missing, unknown, or malformed.',
  // RFC 7591 §3.2.2 and RFC 6750 §3.1 (dynamic registration): the description names the field and
  // the rule of each case, so tests pass it; these are the RFC's own sentences, for reference.
  invalid_redirect_uri: 'The value of one or more redirection URIs is invalid.',
  invalid_client_metadata: 'The value of one of the client metadata fields is invalid and the server has rejected this request.',
  invalid_token: 'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_DESCRIPTIONS;

export interface ExpectedOAuthError {
  status: number;
  error: OAuthErrorCode;
  /** The hint, or undefined when the body must carry none. */
  hint?: string | undefined;
  /** Overrides league's description (the refresh token and user credentials messages). */
  description?: string;
}

interface OAuthAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  json(): unknown;
}

/**
 * An OAuth endpoint's error answer: the status, exactly league's body
 * `{"error", "error_description", "hint"?, "message"}` (message repeats the description), never cached.
 */
export function expectOAuthError(res: OAuthAnswer, expected: ExpectedOAuthError): void {
  const description = expected.description ?? OAUTH_DESCRIPTIONS[expected.error];
  expect(res.statusCode).toBe(expected.status);
  expect(res.json()).toEqual({
    error: expected.error,
    error_description: description,
    ...(expected.hint === undefined ? {} : { hint: expected.hint }),
    message: description,
  });
  expect(res.headers['cache-control']).toBe('no-store');
}
