import type { ClientDirectory } from './client-directory.js';
import { isCleanText } from './clean-text.js';
import { OAuthError } from './errors.js';
import type { OAuthParams } from './grants/types.js';
import type { Client, ClientRepository } from './ports.js';
import { verifyClientSecret } from './secrets.js';
import { NOT_IN_MEMORY } from './state-cache.js';

/** RFC 8414 names of the ways a client authenticates. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientAuthRequest {
  /** The Authorization header, as sent. */
  authorization: string | undefined;
  params: OAuthParams;
}

export interface ClientAuthDeps {
  appKey: string;
  clients: ClientDirectory;
  clientStore: Pick<ClientRepository, 'updateSecretHash'>;
}

export interface AuthenticatedClient {
  client: Client;
  method: ClientAuthMethod;
}

interface PresentedCredentials {
  clientId: string;
  clientSecret: string | undefined;
  viaHeader: boolean;
}

/**
 * Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3.1):
 * HTTP Basic or client_id/client_secret in the body, never both. A public client (no secret)
 * authenticates with its client_id alone where `allowPublic` says so.
 */
export async function authenticateClient(
  request: ClientAuthRequest,
  deps: ClientAuthDeps,
  options: { allowPublic: boolean },
): Promise<AuthenticatedClient> {
  const usedHeader = request.authorization !== undefined;
  const fail = (): OAuthError => {
    const error = OAuthError.invalidClient();
    error.usedAuthorizationHeader = usedHeader;
    return error;
  };
  const presented = presentedCredentials(request, fail);
  // On one node the client is in this process's cache: no promise, no copy of the record.
  const inMemory = deps.clients.findInMemory(presented.clientId);
  const client = inMemory === NOT_IN_MEMORY ? await deps.clients.find(presented.clientId) : inMemory;
  if (!client || client.revoked) throw fail();
  if (client.secretHash === null) {
    if (!options.allowPublic) throw fail();
    return { client, method: 'none' };
  }
  if (presented.clientSecret === undefined) throw fail();
  const check = await verifyClientSecret(presented.clientSecret, client.secretHash, deps.appKey);
  if (!check.ok) throw fail();
  if (check.rehash) {
    // A bcrypt or plain secret brought from Passport: store the fast form once it has proven right.
    await deps.clientStore.updateSecretHash(client.id, check.rehash);
    await deps.clients.invalidate(client.id);
  }
  return { client, method: presented.viaHeader ? 'client_secret_basic' : 'client_secret_post' };
}

/** The credentials a request carries, from the Basic header or the body, never both. */
function presentedCredentials(request: ClientAuthRequest, fail: () => OAuthError): PresentedCredentials {
  const { params } = request;
  const basic = readBasicCredentials(request.authorization, fail);
  if (basic) {
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request;
    // the hint names the body parameter that duplicates the header.
    if (params.client_secret !== undefined) {
      throw OAuthError.invalidRequest('client_secret');
    }
    if (params.client_id !== undefined && params.client_id !== basic.clientId) {
      throw OAuthError.invalidRequest('client_id');
    }
    return basic;
  }
  if (params.client_id === undefined) throw OAuthError.invalidRequest('client_id');
  return { clientId: params.client_id, clientSecret: params.client_secret, viaHeader: false };
}

/**
 * RFC 6749 §2.3.1 / RFC 7617: `Basic base64(urlencode(id) ":" urlencode(secret))`. Any other
 * scheme (a stray bearer token, as Passport's own documentation sends) is no client credential.
 */
function readBasicCredentials(header: string | undefined, fail: () => OAuthError): PresentedCredentials | undefined {
  const match = header === undefined ? null : /^Basic\s+(\S*)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw fail();
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  // No client id holds a control character (the body's are refused at the edge; the header's here).
  if (clientId === undefined || clientId === '' || !isCleanText(clientId) || clientSecret === undefined) throw fail();
  return { clientId, clientSecret: clientSecret === '' ? undefined : clientSecret, viaHeader: true };
}

/** application/x-www-form-urlencoded decoding of one value; undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}
