import type { Resource } from '../oauth/ports.js';
import { jsonTime } from './json-time.js';

/** A resource server (RFC 8707) as the JSON API and `resource:* --json` show it. */
export function presentResource(resource: Resource) {
  return {
    id: resource.id,
    uri: resource.uri,
    name: resource.name,
    scopes: resource.scopes,
    token_ttl: resource.tokenTtl,
    user_id: resource.userId,
    created_at: jsonTime(resource.createdAt),
    updated_at: jsonTime(resource.updatedAt),
  };
}
