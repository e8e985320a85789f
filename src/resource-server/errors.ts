/**
 * Why a request to a protected resource was refused, as a stable code. `invalid_request`,
 * `invalid_token` and `insufficient_scope` are RFC 6750 §3.1's; `missing_token` is a request
 * without a bearer token, which §3.1 answers with a challenge that names no error;
 * `temporarily_unavailable` means the token could not be checked (the authorization server's
 * keys were unreachable), which must not send a client to re-authorize.
 */
export type ResourceServerErrorCode =
  | 'missing_token'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable';

const STATUS: Record<ResourceServerErrorCode, number> = {
  missing_token: 401,
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  temporarily_unavailable: 503,
};

export class ResourceServerError extends Error {
  override name = 'ResourceServerError';
  /** The HTTP status RFC 6750 §3.1 gives the code. */
  readonly status: number;

  constructor(
    readonly code: ResourceServerErrorCode,
    readonly description: string,
    /** The scopes the request needed, for `insufficient_scope`. */
    readonly requiredScopes: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(description, options);
    this.status = STATUS[code];
  }

  static missingToken(): ResourceServerError {
    return new ResourceServerError('missing_token', 'An access token is required: send it as "Authorization: Bearer <token>"');
  }

  static invalidRequest(description: string): ResourceServerError {
    return new ResourceServerError('invalid_request', description);
  }

  static invalidToken(description: string, cause?: unknown): ResourceServerError {
    return new ResourceServerError('invalid_token', description, [], { cause });
  }

  static insufficientScope(required: readonly string[]): ResourceServerError {
    return new ResourceServerError('insufficient_scope', 'The access token does not grant the scope this request needs', required);
  }

  static unavailable(cause: unknown): ResourceServerError {
    return new ResourceServerError('temporarily_unavailable', 'The access token cannot be verified right now; try again later', [], { cause });
  }
}
