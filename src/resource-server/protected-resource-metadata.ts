/** RFC 9728 §2: the metadata a protected resource publishes about itself. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
}

export interface MetadataOptions {
  resource: string;
  issuer: string;
  scopesSupported: readonly string[];
  resourceName?: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

export function protectedResourceMetadata(options: MetadataOptions): ProtectedResourceMetadata {
  return {
    // RFC 9728 §3.3: exactly the identifier the well-known URL was built from.
    resource: options.resource,
    authorization_servers: [options.issuer],
    ...(options.scopesSupported.length > 0 ? { scopes_supported: [...options.scopesSupported] } : {}),
    // RFC 6750 §2.1 only: query and form tokens leak into logs and are refused here.
    bearer_methods_supported: ['header'],
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
  };
}

/**
 * RFC 9728 §3.1: the well-known segment goes between the host and the resource's path, and a
 * lone `/` path is dropped: `https://mcp.example.com/mcp` → `/.well-known/oauth-protected-resource/mcp`,
 * `https://api.example.com` → `/.well-known/oauth-protected-resource`.
 */
export function metadataPathFor(resource: string): string {
  const { pathname } = new URL(resource);
  return pathname === '/' ? WELL_KNOWN : `${WELL_KNOWN}${pathname}`;
}

export function metadataUrlFor(resource: string): string {
  return `${new URL(resource).origin}${metadataPathFor(resource)}`;
}
