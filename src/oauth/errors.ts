/**
 * OAuth protocol errors, worded as league/oauth2-server (and so Laravel Passport) words them,
 * one named factory per RFC 6749 §5.2 error. The HTTP layer renders them as
 * `{"error", "error_description", "hint"?, "message"}`.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'access_denied'
  | 'server_error'
  | 'login_required'
  | 'consent_required'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'invalid_token'
  | 'invalid_target'
  /** RFC 7591 §3.2.2: dynamic client registration. */
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

export class OAuthError extends Error {
  /** Set when the error may be sent back to the client's redirect URI. */
  redirectUri: string | undefined;
  /** True when the client authenticated (or tried to) with the Authorization header. */
  usedAuthorizationHeader = false;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status: number,
    readonly hint?: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  withRedirect(uri: string): this {
    this.redirectUri = uri;
    return this;
  }

  /** RFC 6749 §5.2: a 401 invalid_client answers a client that used the Authorization header with a challenge. */
  get headers(): Record<string, string> {
    if (this.code === 'invalid_client' && this.usedAuthorizationHeader) return { 'WWW-Authenticate': 'Basic realm="OAuth"' };
    // RFC 6750 §3: a 401 for a bearer token (initial or registration access token) carries its challenge.
    if (this.code === 'invalid_token') return { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
    return {};
  }

  toJSON(): Record<string, string> {
    return {
      error: this.code,
      error_description: this.description,
      ...(this.hint ? { hint: this.hint } : {}),
      message: this.description,
    };
  }

  static unsupportedGrantType(): OAuthError {
    return new OAuthError(
      'unsupported_grant_type',
      'The authorization grant type is not supported by the authorization server.',
      400,
      'Check that all required parameters have been provided',
    );
  }

  static invalidRequest(parameter: string, hint?: string): OAuthError {
    return new OAuthError(
      'invalid_request',
      'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
      400,
      hint ?? `Check the \`${parameter}\` parameter`,
    );
  }

  static invalidClient(): OAuthError {
    return new OAuthError('invalid_client', 'Client authentication failed', 401);
  }

  static invalidScope(scope: string): OAuthError {
    return new OAuthError(
      'invalid_scope',
      'The requested scope is invalid, unknown, or malformed',
      400,
      `Check the \`${scope}\` scope`,
    );
  }

  /** RFC 8707 §2: a resource indicator that is malformed or names no resource this server knows. */
  static invalidTarget(): OAuthError {
    return new OAuthError('invalid_target', 'The requested resource is invalid, missing, unknown, or malformed.', 400, 'Check the `resource` parameter');
  }

  static invalidCredentials(): OAuthError {
    return new OAuthError('invalid_grant', 'The user credentials were incorrect.', 400);
  }

  /** RFC 6749 §5.2 (as Passport 13): a bad, expired, revoked or reused refresh token. */
  static invalidRefreshToken(hint: string): OAuthError {
    return new OAuthError('invalid_grant', 'The refresh token is invalid.', 400, hint);
  }

  static invalidGrant(hint: string): OAuthError {
    return new OAuthError(
      'invalid_grant',
      'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
      400,
      hint,
    );
  }

  static unauthorizedClient(hint?: string): OAuthError {
    return new OAuthError('unauthorized_client', 'The authenticated client is not authorized to use this authorization grant type.', 400, hint);
  }

  static unsupportedResponseType(): OAuthError {
    return new OAuthError(
      'unsupported_response_type',
      'The authorization server does not support obtaining an authorization code using this method.',
      400,
      'Check the `response_type` parameter',
    );
  }

  static accessDenied(hint = 'The user denied the request'): OAuthError {
    return new OAuthError('access_denied', 'The resource owner or authorization server denied the request.', 401, hint);
  }

  static loginRequired(): OAuthError {
    return new OAuthError('login_required', 'The user is not logged in.', 400);
  }

  static consentRequired(): OAuthError {
    return new OAuthError('consent_required', 'The user has not approved this client.', 400);
  }

  /** RFC 8628 §3.5 (league's DeviceCodeGrant wording, as the three below). */
  static authorizationPending(): OAuthError {
    return new OAuthError(
      'authorization_pending',
      "The authorization request is still pending as the end user hasn't yet completed the user interaction steps. The client SHOULD repeat the Access Token Request to the token endpoint",
      400,
    );
  }

  static slowDown(): OAuthError {
    return new OAuthError(
      'slow_down',
      'The authorization request is still pending and polling should continue, but the interval MUST be increased by 5 seconds for this and all subsequent requests.',
      400,
    );
  }

  static expiredToken(): OAuthError {
    return new OAuthError('expired_token', 'The `device_code` has expired and the device authorization session has concluded.', 400);
  }

  /**
   * RFC 7591 §3.2.2: a redirect URI of a registration request is refused. The description
   * names the field and the rule (never the value), as the RFC's examples do.
   */
  static invalidRedirectUri(description: string): OAuthError {
    return new OAuthError('invalid_redirect_uri', description, 400);
  }

  /** RFC 7591 §3.2.2: a client metadata field of a registration request is refused. */
  static invalidClientMetadata(description: string): OAuthError {
    return new OAuthError('invalid_client_metadata', description, 400);
  }

  /**
   * RFC 6750 §3.1 for the bearer tokens of dynamic registration (RFC 7591 §3 initial access
   * tokens, RFC 7592 registration access tokens): missing, unknown, expired or revoked — one
   * answer for all, so a caller learns nothing about which clients exist.
   */
  static invalidToken(description: string): OAuthError {
    return new OAuthError('invalid_token', description, 401);
  }

  static serverError(): OAuthError {
    return new OAuthError('server_error', 'The authorization server encountered an unexpected condition which prevented it from fulfilling the request.', 500);
  }
}

/**
 * Too many attempts for one email from one address (the login throttle shared by the login
 * form, POST /api/login and the password grant): answered 429 `Too Many Attempts.` with
 * Retry-After, as Laravel's throttle answers.
 */
export class TooManyAttemptsError extends Error {
  override name = 'TooManyAttemptsError';

  constructor(readonly retryAfter: number) {
    super('Too Many Attempts.');
  }
}
