import { OAuthError } from './errors.js';

/** The scope that stands for every scope (Passport's `*`). */
export const WILDCARD_SCOPE = '*';

/** OpenID Connect scopes are always declared. */
const OIDC_SCOPES: Record<string, string> = {
  openid: 'Verify your identity',
  profile: 'Read your name',
  email: 'Read your email address',
};

export const DEFAULT_SCOPES: Record<string, string> = {
  'users:read': 'Read user profiles',
  'users:write': 'Create users',
};

export interface Scope {
  id: string;
  description: string;
}

/** The declared scopes, in declaration order, and the rules for asking for them. */
export class ScopeRegistry {
  private readonly scopes: Map<string, string>;

  constructor(
    declared: Record<string, string> = DEFAULT_SCOPES,
    readonly defaults: string[] = [],
  ) {
    this.scopes = new Map(Object.entries({ ...declared, ...OIDC_SCOPES, ...declared }));
    for (const scope of defaults) {
      if (!this.scopes.has(scope)) throw new Error(`OAUTH_DEFAULT_SCOPES names an undeclared scope "${scope}"`);
    }
  }

  list(): Scope[] {
    return [...this.scopes].map(([id, description]) => ({ id, description }));
  }

  has(id: string): boolean {
    return this.scopes.has(id);
  }

  describe(id: string): string {
    return this.scopes.get(id) ?? id;
  }

  /**
   * Validates requested scopes (already split); the defaults apply when none is named.
   * `*` is allowed only where the flow permits it (password, client credentials, login).
   */
  resolve(requested: string[], options: { allowWildcard: boolean }): string[] {
    const unique = [...new Set(requested.filter(Boolean))];
    for (const scope of unique) {
      if (scope === WILDCARD_SCOPE ? !options.allowWildcard : !this.scopes.has(scope)) {
        throw OAuthError.invalidScope(scope);
      }
    }
    return unique.length > 0 ? unique : [...this.defaults];
  }
}

/** RFC 6749 §3.3: scopes are space-delimited. Passport also accepts commas in some places; we do not. */
export function parseScopeParameter(value: string | undefined): string[] {
  return (value ?? '').split(' ').filter((scope) => scope.length > 0);
}

/** True when `granted` covers every scope in `required` (`*` covers all). */
export function scopesCover(granted: readonly string[], required: readonly string[]): boolean {
  if (granted.includes(WILDCARD_SCOPE)) return true;
  return required.every((scope) => granted.includes(scope));
}
