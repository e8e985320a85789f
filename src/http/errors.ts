/** An application error rendered as `{"message", "status"}` (Laravel's JSON error shape). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  static unauthenticated(): HttpError {
    return new HttpError(401, 'Unauthenticated.');
  }

  static forbidden(message = 'This action is unauthorized.'): HttpError {
    return new HttpError(403, message);
  }

  static invalidScopes(): HttpError {
    return new HttpError(403, 'Invalid scope(s) provided.');
  }

  static notFound(message = 'Not Found.'): HttpError {
    return new HttpError(404, message);
  }

  static csrfMismatch(): HttpError {
    return new HttpError(419, 'CSRF token mismatch.');
  }
}

/** A Laravel validation failure: 422 with `errors` per field. */
export class ValidationError extends Error {
  constructor(readonly errors: Record<string, string[]>) {
    super(validationSummary(errors));
    this.name = 'ValidationError';
  }

  static single(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }
}

/** Laravel's summary: the first message, plus "(and N more error(s))". */
export function validationSummary(errors: Record<string, string[]>): string {
  const all = Object.values(errors).flat();
  const rest = all.length - 1;
  if (rest <= 0) return all[0] ?? 'The given data was invalid.';
  return `${all[0]} (and ${rest} more ${rest === 1 ? 'error' : 'errors'})`;
}
