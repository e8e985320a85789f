import { timingSafeEqual } from 'node:crypto';
import type { ClientDirectory } from '../client-directory.js';
import type { ClientInformation } from '../client-information.js';
import { authMethodOf, clientInformation, storedMetadata } from '../client-information.js';
import type { MetadataRules, RegisteredMetadata, RegistrableGrant } from '../dynamic-client-metadata.js';
import { validateClientMetadata } from '../dynamic-client-metadata.js';
import { OAuthError } from '../errors.js';
import type { Grant } from '../grants/types.js';
import type { Client, ClientRepository, DynamicClientRepository } from '../ports.js';
import { opaqueToken, sha256 } from '../random-tokens.js';
import type { ResourceDirectory } from '../resource-indicators.js';
import type { ScopeRegistry } from '../scopes.js';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from '../secrets.js';
import type { ClientUseCases } from './clients.js';
import type { InitialAccessTokenUseCases } from './initial-access-tokens.js';

/** `OAUTH_DYNAMIC_REGISTRATION`: no registration endpoint, anyone may register, or only holders of an initial access token. */
export type DynamicRegistrationMode = 'off' | 'open' | 'token';

export interface RegistrationRequest {
  /** The Authorization header, as sent. */
  authorization: string | undefined;
  /** The parsed JSON body, unchecked: the core validates it. */
  body: unknown;
}

/** RFC 7591 and RFC 7592: the registration endpoint and the client configuration endpoint. */
export interface DynamicRegistrationUseCases {
  readonly mode: DynamicRegistrationMode;
  /** RFC 7591 §3.1: registers a client owned by nobody; the answer is the only time its secret is shown. */
  register(request: RegistrationRequest): Promise<ClientInformation>;
  /** RFC 7592 §2.1: the current registration, for the holder of its registration access token. */
  read(clientId: string, authorization: string | undefined): Promise<ClientInformation>;
  /** RFC 7592 §2.2: replaces the registered metadata (fields left out fall back to their defaults). */
  update(clientId: string, request: RegistrationRequest): Promise<ClientInformation>;
  /** RFC 7592 §2.3: revokes the client and every token issued to it. */
  remove(clientId: string, authorization: string | undefined): Promise<void>;
}

export interface DynamicRegistrationDeps {
  mode: DynamicRegistrationMode;
  /** APP_URL: the base of `registration_client_uri`. */
  issuer: string;
  appKey: string;
  /** The enabled grants of the token endpoint. */
  grants: readonly Grant[];
  scopes: ScopeRegistry;
  /** The resource servers (RFC 8707), whose declared scopes a client may register too. */
  resources: Pick<ResourceDirectory, 'declaredScopes'>;
  clientStore: Pick<ClientRepository, 'create'>;
  dynamicClients: DynamicClientRepository;
  directory: ClientDirectory;
  clients: Pick<ClientUseCases, 'revokeById'>;
  initialAccessTokens: Pick<InitialAccessTokenUseCases, 'isLive'>;
}

const BEARER = /^Bearer\s+([\x21-\x7e]+)\s*$/i;
/** What a path segment must look like to be looked up at all (a NUL byte must never reach PostgreSQL). */
const CLIENT_ID = /^[\x21-\x7e]{1,255}$/;

export function createDynamicRegistrationUseCases(deps: DynamicRegistrationDeps): DynamicRegistrationUseCases {
  /**
   * A declared scope is the server's or a registered resource's: an MCP client registers with
   * the scopes its MCP server's challenge or RFC 9728 document named (`notes:read`), which only
   * that resource declares.
   */
  const rules = async (current?: Client): Promise<MetadataRules> => {
    const resourceScopes = await deps.resources.declaredScopes();
    return {
      grants: registrableGrants(deps.grants),
      isDeclaredScope: (scope) => deps.scopes.has(scope) || resourceScopes.has(scope),
      ...(current ? { currentAuthMethod: authMethodOf(current) } : {}),
    };
  };
  const registrationClientUri = (clientId: string) => `${deps.issuer}/oauth/register/${encodeURIComponent(clientId)}`;
  const answer = (client: Client, registrationAccessToken: string, plainSecret: string | null) =>
    clientInformation(client, { registrationAccessToken, plainSecret, registrationClientUri: registrationClientUri(client.id) });

  /** RFC 7592 §3: the registration access token, compared in constant time with the stored hash. */
  const authorize = async (clientId: string, authorization: string | undefined) => {
    const fail = () => OAuthError.invalidToken('The registration access token is missing or invalid.');
    const token = BEARER.exec(authorization ?? '')?.[1];
    const found = token !== undefined && CLIENT_ID.test(clientId) ? await deps.dynamicClients.findWithRegistrationToken(clientId) : undefined;
    // Compared even when nothing was found, so the answer takes as long for an unknown client.
    const matches = hashesEqual(sha256(token ?? ''), found?.registrationTokenHash ?? '0'.repeat(64));
    if (!found || token === undefined || !matches) throw fail();
    return { client: found.client, token };
  };

  return {
    mode: deps.mode,
    async register(request) {
      if (deps.mode === 'off') throw new Error('Dynamic client registration is off (OAUTH_DYNAMIC_REGISTRATION=off)');
      if (deps.mode === 'token') await requireInitialAccessToken(request.authorization, deps.initialAccessTokens);
      const metadata = validateClientMetadata(request.body, await rules());
      const plainSecret = metadata.token_endpoint_auth_method === 'none' ? null : generateClientSecret();
      const registrationAccessToken = opaqueToken(32);
      const client = await deps.clientStore.create({
        userId: null,
        ...columnsOf(metadata),
        secretHash: plainSecret === null ? null : hashClientSecret(plainSecret, deps.appKey),
        origin: 'dynamic',
        registrationTokenHash: sha256(registrationAccessToken),
      });
      // A cached "unknown client" answer for this id must not outlive its creation.
      await deps.directory.invalidate(client.id);
      return answer(client, registrationAccessToken, plainSecret);
    },
    async read(clientId, authorization) {
      const { client, token } = await authorize(clientId, authorization);
      // RFC 7592 §3 requires the token in the answer: it is the one the request presented.
      return answer(client, token, null);
    },
    async update(clientId, request) {
      const { client, token } = await authorize(clientId, request.authorization);
      await checkUpdateIdentity(client, request.body, deps.appKey);
      const metadata = validateClientMetadata(request.body, await rules(client));
      if ((metadata.token_endpoint_auth_method === 'none') !== (client.secretHash === null)) {
        throw OAuthError.invalidClientMetadata(
          'token_endpoint_auth_method cannot change between none and a client secret method: register a new client instead.',
        );
      }
      const updated = await deps.dynamicClients.replaceRegistration(clientId, columnsOf(metadata));
      await deps.directory.invalidate(clientId);
      if (!updated) throw OAuthError.invalidToken('The registration access token is missing or invalid.');
      return answer(updated, token, null);
    },
    async remove(clientId, authorization) {
      await authorize(clientId, authorization);
      // The one revocation path of every client: its tokens go with it, and every node's cache learns of it.
      await deps.clients.revokeById(clientId);
    },
  };
}

/** Every enabled grant of the token endpoint but the password grant, which is only for first-party password clients. */
export function registrableGrants(grants: readonly Grant[]): RegistrableGrant[] {
  return grants
    .filter((grant) => grant.grantType !== 'password')
    .map((grant) => ({
      grantType: grant.grantType,
      allowsPublicClients: grant.allowsPublicClients,
      issuesRefreshTokens: grant.responseFields.includes('refresh_token'),
    }));
}

/** RFC 7591 §3: `Authorization: Bearer <initial access token>`, live. */
async function requireInitialAccessToken(authorization: string | undefined, tokens: Pick<InitialAccessTokenUseCases, 'isLive'>): Promise<void> {
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (token === undefined || !(await tokens.isLive(token))) {
    throw OAuthError.invalidToken('The initial access token is missing, invalid, expired or revoked.');
  }
}

/**
 * RFC 7592 §2.2: the body names the client it updates, and a client secret it carries must be
 * the client's own.
 */
async function checkUpdateIdentity(client: Client, body: unknown, appKey: string): Promise<void> {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (fields.client_id !== client.id) throw OAuthError.invalidClientMetadata('client_id must be the id of the client being updated.');
  const secret = fields.client_secret;
  if (secret === undefined || secret === null) return;
  const ok = typeof secret === 'string' && client.secretHash !== null && (await verifyClientSecret(secret, client.secretHash, appKey)).ok;
  if (!ok) throw OAuthError.invalidClientMetadata("client_secret does not match the client's secret.");
}

/** What the registration changes in Passport's columns, and the rest as the metadata JSON. */
function columnsOf(metadata: RegisteredMetadata) {
  return {
    name: metadata.client_name,
    redirectUris: metadata.redirect_uris,
    grantTypes: metadata.grant_types,
    metadata: storedMetadata(metadata),
  };
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
