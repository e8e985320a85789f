/**
 * Why a guarded fetch refused or failed, as a stable code callers can branch on and tests can
 * assert (jose's way). The message is for logs and operators; it never echoes a response body.
 */
export type SafeFetchErrorCode =
  | 'invalid_url'
  | 'not_https'
  | 'host_not_allowed'
  | 'blocked_address'
  | 'redirect'
  | 'http_status'
  | 'too_large'
  | 'timeout'
  | 'invalid_json'
  | 'network_error';

export class SafeFetchError extends Error {
  override name = 'SafeFetchError';

  constructor(
    readonly code: SafeFetchErrorCode,
    message: string,
    /** The HTTP status, for `redirect` and `http_status`. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
