import type { ProtectResourceOptions } from './protect-resource.js';
import type { TokenVerifierOptions } from './token-verifier.js';

export interface ProtectResourceSettings extends TokenVerifierOptions {
  scopes: readonly string[];
}

/** RFC 6749 §3.3: scope-token = 1*NQCHAR, which also keeps it safe inside a quoted challenge. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const LOOPBACK_HOST = /^(127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/;

/** Checks the options once, at start-up, and fills in the defaults; a mistake throws a TypeError. */
export function checkProtectResourceOptions(options: ProtectResourceOptions): ProtectResourceSettings {
  const resource = checkResource(options.resource);
  const issuer = options.issuer;
  if (typeof issuer !== 'string' || !URL.canParse(issuer)) throw new TypeError('protectResource: issuer must be an absolute URL');
  const jwksUri = options.jwksUri ?? `${issuer.replace(/\/+$/, '')}/oauth/jwks`;
  checkSecureUrl('jwksUri', jwksUri);
  const scopes = [...(options.scopes ?? [])];
  for (const scope of [...scopes, ...(options.scopesSupported ?? [])]) {
    if (!SCOPE_TOKEN.test(scope)) throw new TypeError(`protectResource: "${scope}" is not a valid scope`);
  }
  const audience = options.audience === undefined ? spellingsOf(resource) : typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  if (audience.length === 0) throw new TypeError('protectResource: audience must name at least one value');
  return {
    issuer,
    resource,
    audience,
    jwksUri,
    scopes,
    clockToleranceSeconds: nonNegative('clockToleranceSeconds', options.clockToleranceSeconds, 5),
    jwksCooldownSeconds: nonNegative('jwksCooldownSeconds', options.jwksCooldownSeconds, 30),
    jwksCacheMaxAgeSeconds: nonNegative('jwksCacheMaxAgeSeconds', options.jwksCacheMaxAgeSeconds, 600),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
}

/**
 * RFC 8707 §2: an absolute URI without a fragment. RFC 9728 §1.2: https (plain http only on a
 * loopback host, for development). Authgate also refuses a query: the well-known URL would need
 * it appended (RFC 9728 §3.1) and few clients do that.
 */
function checkResource(resource: string): string {
  checkSecureUrl('resource', resource);
  if (resource.includes('#') || resource.includes('?')) throw new TypeError('protectResource: resource must have neither a query nor a fragment');
  return resource;
}

/**
 * RFC 3986 §6.2.3: for http(s) an empty path is `/`, so `https://mcp.example.com` and
 * `https://mcp.example.com/` are one resource. Authgate puts the URI as it was registered in
 * `aud`, which may be the other spelling than this server's: both are this resource.
 */
function spellingsOf(resource: string): string[] {
  const origin = /^(https?:\/\/[^/?#]+)\/?$/i.exec(resource)?.[1];
  if (origin === undefined) return [resource];
  return resource.endsWith('/') ? [resource, origin] : [resource, `${origin}/`];
}

/** A JWKS fetched over plain http on a network could be swapped, and with it every token. */
function checkSecureUrl(name: string, value: string): void {
  if (typeof value !== 'string' || !URL.canParse(value)) throw new TypeError(`protectResource: ${name} must be an absolute URL`);
  const url = new URL(value);
  const local = url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname);
  if (url.protocol !== 'https:' && !local) throw new TypeError(`protectResource: ${name} must be https (http only on a loopback host)`);
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`protectResource: ${name} must be a non-negative number`);
  return value;
}
