import type { ClientAuthDeps } from './client-authentication.js';
import { ClientDirectory } from './client-directory.js';
import type { ClientMetadataResolver } from './client-metadata-resolver.js';
import type { GrantContext, OAuthSettings } from './grants/types.js';
import type {
  AccessTokenRepository,
  AuthCodeRepository,
  ClientRepository,
  DeviceCodeRepository,
  DynamicClientRepository,
  InitialAccessTokenRepository,
  RefreshTokenRepository,
  ResourceRepository,
  UserLookup,
} from './ports.js';
import { ResourceDirectory } from './resource-indicators.js';
import type { ScopeRegistry } from './scopes.js';
import type { KeySet } from './signing-keys.js';
import type { StateCache } from './state-cache.js';
import { TokenService } from './token-service.js';
import type { AuthorizeUseCases } from './use-cases/authorize.js';
import { createAuthorizeUseCases } from './use-cases/authorize.js';
import type { ClientUseCases } from './use-cases/clients.js';
import { createClientUseCases } from './use-cases/clients.js';
import type { DeviceUseCases } from './use-cases/device.js';
import { createDeviceUseCases } from './use-cases/device.js';
import type { DynamicRegistrationMode, DynamicRegistrationUseCases } from './use-cases/dynamic-registration.js';
import { createDynamicRegistrationUseCases } from './use-cases/dynamic-registration.js';
import type { InitialAccessTokenUseCases } from './use-cases/initial-access-tokens.js';
import { createInitialAccessTokenUseCases } from './use-cases/initial-access-tokens.js';
import type { PersonalAccessUseCases } from './use-cases/personal-access.js';
import { createPersonalAccessUseCases } from './use-cases/personal-access.js';
import type { ResourceUseCases } from './use-cases/resources.js';
import { createResourceUseCases } from './use-cases/resources.js';
import type { TokenUseCases } from './use-cases/tokens.js';
import { createTokenUseCases } from './use-cases/tokens.js';

/** The deployment's settings the core reads (from the configuration, once). */
export interface CoreSettings extends OAuthSettings {
  appName: string;
  implicitGrant: boolean;
  authCodeTtl: number;
  personalAccessTokenTtl: number;
  /** OAUTH_DYNAMIC_REGISTRATION (RFC 7591); `off` when absent. */
  dynamicRegistration?: DynamicRegistrationMode;
}

/** The repositories (ports) the core works on; src/storage implements them. */
export interface CoreRepositories {
  clients: ClientRepository;
  accessTokens: AccessTokenRepository;
  refreshTokens: RefreshTokenRepository;
  authCodes: AuthCodeRepository;
  deviceCodes: DeviceCodeRepository;
  resources: ResourceRepository;
  /** RFC 7591/7592: dynamically registered clients and the operator's initial access tokens. */
  dynamicClients: DynamicClientRepository;
  initialAccessTokens: InitialAccessTokenRepository;
}

export interface OAuthCoreDependencies {
  settings: CoreSettings;
  /** Key of the client secret hashes. */
  appKey: string;
  keys: KeySet;
  scopes: ScopeRegistry;
  cache: StateCache;
  repositories: CoreRepositories;
  users: UserLookup;
  /** Client ID metadata documents; without it, URL client ids are looked up like any other. */
  clientMetadata?: ClientMetadataResolver;
  now?: () => number;
}

/** The OAuth core's front door: the use cases routes, pages and the CLI call. */
export interface OAuthCore {
  tokens: TokenUseCases;
  authorize: AuthorizeUseCases;
  personalAccess: PersonalAccessUseCases;
  clients: ClientUseCases;
  device: DeviceUseCases;
  resources: ResourceUseCases;
  dynamicRegistration: DynamicRegistrationUseCases;
  initialAccessTokens: InitialAccessTokenUseCases;
  /** The access token service underneath (signing, validation, revocation), for wiring and tests. */
  tokenService: TokenService;
  /** Client look-ups through the cache, for wiring and tests. */
  clientDirectory: ClientDirectory;
}

/** Builds every part of the core once, from its ports. */
export function createOAuthCore(deps: OAuthCoreDependencies): OAuthCore {
  const { settings, repositories } = deps;
  const now = deps.now ?? Date.now;
  const directory = new ClientDirectory(repositories.clients, deps.cache, deps.clientMetadata);
  const tokenService = new TokenService({
    keys: deps.keys,
    issuer: settings.issuer,
    accessTokens: repositories.accessTokens,
    refreshTokens: repositories.refreshTokens,
    clients: directory,
    users: deps.users,
    cache: deps.cache,
    now,
  });
  const resources = new ResourceDirectory(repositories.resources, deps.cache, { uri: settings.issuer, name: settings.appName });
  const grants: GrantContext = {
    settings,
    scopes: deps.scopes,
    resources,
    tokens: tokenService,
    accessTokens: repositories.accessTokens,
    refreshTokens: repositories.refreshTokens,
    authCodes: repositories.authCodes,
    deviceCodes: repositories.deviceCodes,
    users: deps.users,
    keys: deps.keys,
    now,
  };
  const clientAuth: ClientAuthDeps = { appKey: deps.appKey, clients: directory, clientStore: repositories.clients };
  const tokens = createTokenUseCases({ grants, clientAuth, clients: directory });
  const clients = createClientUseCases({ store: repositories.clients, directory, tokens: tokenService, appKey: deps.appKey });
  const initialAccessTokens = createInitialAccessTokenUseCases({ store: repositories.initialAccessTokens, now });
  return {
    tokens,
    authorize: createAuthorizeUseCases({
      clients: directory,
      scopes: deps.scopes,
      resources,
      tokens: tokenService,
      accessTokens: repositories.accessTokens,
      authCodes: repositories.authCodes,
      settings,
    }),
    personalAccess: createPersonalAccessUseCases({
      grants,
      clients: directory,
      clientStore: repositories.clients,
      appName: settings.appName,
      ttlSeconds: settings.personalAccessTokenTtl,
    }),
    clients,
    resources: createResourceUseCases({ store: repositories.resources, directory: resources }),
    device: createDeviceUseCases(
      { deviceCodes: repositories.deviceCodes, scopes: deps.scopes, resources, now, clients: directory },
      clientAuth,
      `${settings.issuer}/oauth/device`,
    ),
    dynamicRegistration: createDynamicRegistrationUseCases({
      mode: settings.dynamicRegistration ?? 'off',
      issuer: settings.issuer,
      appKey: deps.appKey,
      grants: tokens.grants,
      scopes: deps.scopes,
      resources,
      clientStore: repositories.clients,
      dynamicClients: repositories.dynamicClients,
      directory,
      clients,
      initialAccessTokens,
    }),
    initialAccessTokens,
    tokenService,
    clientDirectory: directory,
  };
}
