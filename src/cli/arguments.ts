import { InvalidArgumentError } from 'commander';

/**
 * Option parsers. They throw commander's InvalidArgumentError, so a bad value is reported like
 * every other usage error (exit code 2) before a command touches storage.
 */

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const text = value.trim();
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `Must be a whole number of at least ${min}.` : `Must be a whole number from ${min} to ${max}.`,
      );
    }
    return Number(text);
  };
}

/**
 * Collects `--redirect-uri` values; one value may also list several URIs separated by commas,
 * as Passport's `redirect` column does.
 */
export function collectRedirectUris(value: string, previous: string[] = []): string[] {
  const uris = value
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '');
  if (uris.length === 0) throw new InvalidArgumentError('Must be an absolute URI.');
  for (const uri of uris) checkRedirectUri(uri);
  return [...previous, ...uris];
}

function checkRedirectUri(uri: string): void {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new InvalidArgumentError(`"${uri}" is not an absolute URI.`);
  }
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment component.
  if (uri.includes('#')) throw new InvalidArgumentError(`"${uri}" must not contain a fragment (#).`);
  // Private-use schemes stay allowed for native apps (RFC 8252 §7.1); these two never redirect.
  if (parsed.protocol === 'javascript:' || parsed.protocol === 'data:') {
    throw new InvalidArgumentError(`"${uri}" uses a scheme that cannot be a redirect URI.`);
  }
}

/** Laravel's `email` rule, as the registration form applies it (RFC 5322 addr-spec, no display name). */
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isEmail(value: string): boolean {
  return value.length <= 255 && EMAIL.test(value);
}
