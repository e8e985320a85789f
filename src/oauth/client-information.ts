import type { RegisteredMetadata, RegistrationAuthMethod } from './dynamic-client-metadata.js';
import type { Client } from './ports.js';

/**
 * The client information response (RFC 7591 §3.2.1, extended by RFC 7592 §3): the client's
 * credentials and its registered metadata as stored, defaults applied.
 */
export interface ClientInformation extends RegisteredMetadata {
  client_id: string;
  /** Only in the answer that issued it: Authgate keeps a hash. */
  client_secret?: string;
  client_id_issued_at: number;
  /** 0: the secret does not expire (confidential clients only). */
  client_secret_expires_at?: number;
  registration_access_token: string;
  registration_client_uri: string;
}

/** The metadata kept in `oauth_clients.metadata`: what Passport's columns (name, redirect, grant_types) do not hold. */
export type StoredMetadata = Omit<RegisteredMetadata, 'client_name' | 'redirect_uris' | 'grant_types'>;

export function storedMetadata(metadata: RegisteredMetadata): StoredMetadata {
  const { client_name: _name, redirect_uris: _redirects, grant_types: _grants, ...rest } = metadata;
  return rest;
}

/** The registered metadata of a stored client, read back from its columns and its metadata JSON. */
export function registeredMetadata(client: Client): RegisteredMetadata {
  const stored = client.metadata ?? {};
  const text = (field: string) => (typeof stored[field] === 'string' ? stored[field] : undefined);
  const list = (field: string) => {
    const value = stored[field];
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
  };
  const out: RegisteredMetadata = {
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes ?? [],
    response_types: list('response_types') ?? [],
    token_endpoint_auth_method: authMethodOf(client),
  };
  for (const field of ['scope', 'client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'software_id', 'software_version'] as const) {
    const value = text(field);
    if (value !== undefined) out[field] = value;
  }
  const contacts = list('contacts');
  if (contacts !== undefined) out.contacts = contacts;
  return orderedMetadata(out);
}

/** The client's method: `none` without a secret; else what it registered (client_secret_basic by default). */
export function authMethodOf(client: Client): RegistrationAuthMethod {
  if (client.secretHash === null) return 'none';
  return client.metadata?.token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic';
}

export interface ClientCredentials {
  registrationAccessToken: string;
  /** The plain secret, only when it was just issued. */
  plainSecret: string | null;
  /** Where RFC 7592 reads, updates and deletes the registration. */
  registrationClientUri: string;
}

export function clientInformation(client: Client, credentials: ClientCredentials): ClientInformation {
  const confidential = client.secretHash !== null;
  return {
    client_id: client.id,
    ...(credentials.plainSecret !== null ? { client_secret: credentials.plainSecret } : {}),
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    // RFC 7591 §3.2.1: REQUIRED when a secret was issued; 0 means it never expires.
    ...(confidential ? { client_secret_expires_at: 0 } : {}),
    registration_access_token: credentials.registrationAccessToken,
    registration_client_uri: credentials.registrationClientUri,
    ...registeredMetadata(client),
  };
}

/** One field order for every answer, whatever order the JSON column keeps. */
function orderedMetadata(metadata: RegisteredMetadata): RegisteredMetadata {
  const order: (keyof RegisteredMetadata)[] = [
    'client_name', 'redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'scope',
    'client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'contacts', 'software_id', 'software_version',
  ];
  return Object.fromEntries(order.filter((key) => metadata[key] !== undefined).map((key) => [key, metadata[key]])) as unknown as RegisteredMetadata;
}
