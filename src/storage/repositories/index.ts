import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { KyselyAccessTokenRepository } from './access-token-repository.js';
import { KyselyAuthCodeRepository } from './auth-code-repository.js';
import { KyselyClientRepository } from './client-repository.js';
import { KyselyDeviceCodeRepository } from './device-code-repository.js';
import { KyselyDynamicClientRepository } from './dynamic-client-repository.js';
import { KyselyInitialAccessTokenRepository } from './initial-access-token-repository.js';
import { PurgeRepository } from './purge-repository.js';
import { KyselyRefreshTokenRepository } from './refresh-token-repository.js';
import { KyselyResourceRepository } from './resource-repository.js';
import { KyselySessionRepository } from './session-repository.js';
import { KyselyUserRepository } from './user-repository.js';

export { KyselyAccessTokenRepository } from './access-token-repository.js';
export { KyselyAuthCodeRepository } from './auth-code-repository.js';
export { KyselyClientRepository } from './client-repository.js';
export { KyselyDeviceCodeRepository } from './device-code-repository.js';
export { KyselyDynamicClientRepository } from './dynamic-client-repository.js';
export { KyselyInitialAccessTokenRepository } from './initial-access-token-repository.js';
export { PurgeRepository, type PurgeCounts, type PurgeOptions } from './purge-repository.js';
export { KyselyRefreshTokenRepository } from './refresh-token-repository.js';
export { KyselyResourceRepository } from './resource-repository.js';
export { KyselySessionRepository, type StoredSession } from './session-repository.js';
export { KyselyUserRepository } from './user-repository.js';

export interface Repositories {
  clients: KyselyClientRepository;
  accessTokens: KyselyAccessTokenRepository;
  refreshTokens: KyselyRefreshTokenRepository;
  authCodes: KyselyAuthCodeRepository;
  deviceCodes: KyselyDeviceCodeRepository;
  resources: KyselyResourceRepository;
  dynamicClients: KyselyDynamicClientRepository;
  initialAccessTokens: KyselyInitialAccessTokenRepository;
  users: KyselyUserRepository;
  sessions: KyselySessionRepository;
  purge: PurgeRepository;
}

/** Every repository over one database handle (or transaction). */
export function createRepositories(db: Kysely<Database>): Repositories {
  return {
    clients: new KyselyClientRepository(db),
    accessTokens: new KyselyAccessTokenRepository(db),
    refreshTokens: new KyselyRefreshTokenRepository(db),
    authCodes: new KyselyAuthCodeRepository(db),
    deviceCodes: new KyselyDeviceCodeRepository(db),
    resources: new KyselyResourceRepository(db),
    dynamicClients: new KyselyDynamicClientRepository(db),
    initialAccessTokens: new KyselyInitialAccessTokenRepository(db),
    users: new KyselyUserRepository(db),
    sessions: new KyselySessionRepository(db),
    purge: new PurgeRepository(db),
  };
}
