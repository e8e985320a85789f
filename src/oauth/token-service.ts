import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import type { ClientDirectory } from './client-directory.js';
import type { AccessToken, AccessTokenRepository, RefreshTokenRepository, UserLookup } from './ports.js';
import type { KeySet, VerificationKey } from './signing-keys.js';
import { accessTokenId, opaqueToken, sha256 } from './random-tokens.js';
import type { StateCache } from './state-cache.js';
import { USER_CACHE_SECONDS, cacheKeys } from './state-cache.js';

export interface TokenServiceOptions {
  keys: KeySet;
  issuer: string;
  accessTokens: AccessTokenRepository;
  refreshTokens: RefreshTokenRepository;
  clients: ClientDirectory;
  users: UserLookup;
  cache: StateCache;
  now?: () => number;
}

export interface IssueAccessToken {
  clientId: string;
  userId: number | null;
  scopes: string[];
  ttlSeconds: number;
  name?: string | null;
  grantId?: string | null;
}

export interface IssuedAccessToken {
  jwt: string;
  record: AccessToken;
}

/** A bearer token that passed every check: signature, time, row, client and user. */
export interface AuthenticatedToken {
  tokenId: string;
  clientId: string;
  userId: number | null;
  scopes: string[];
  expiresAt: number;
}

type TokenState = 'live' | 'revoked';
type UserState = 'present' | 'missing';

/** Issues, validates and revokes access tokens (RFC 9068 JWTs with Passport's claims). */
export class TokenService {
  private readonly now: () => number;

  constructor(private readonly options: TokenServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async issueAccessToken(request: IssueAccessToken): Promise<IssuedAccessToken> {
    const { keys, issuer } = this.options;
    const nowMs = this.now();
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + request.ttlSeconds;
    const jti = accessTokenId();
    const subject = request.userId === null ? request.clientId : String(request.userId);
    const jwt = await new SignJWT({
      scopes: request.scopes,
      client_id: request.clientId,
      scope: request.scopes.join(' '),
    })
      .setProtectedHeader({ alg: keys.active.alg, typ: 'at+jwt', kid: keys.active.kid })
      .setIssuer(issuer)
      .setAudience(request.clientId)
      .setJti(jti)
      .setSubject(subject)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .sign(keys.active.privateKey);
    const createdAt = new Date(iat * 1000);
    const record: AccessToken = {
      id: jti,
      userId: request.userId,
      clientId: request.clientId,
      name: request.name ?? null,
      scopes: request.scopes,
      revoked: false,
      createdAt,
      updatedAt: createdAt,
      expiresAt: new Date(exp * 1000),
      grantId: request.grantId ?? null,
    };
    await this.options.accessTokens.create(record);
    // The row exists now: say so in the cache, so validating this token never reads the database.
    await this.options.cache.put(cacheKeys.token(jti), 'live' satisfies TokenState, request.ttlSeconds);
    return { jwt, record };
  }

  /** Creates a refresh token for an access token; returns the opaque string (only its hash is stored). */
  async issueRefreshToken(accessToken: AccessToken, ttlSeconds: number, grantId: string | null): Promise<string> {
    const token = opaqueToken(40);
    await this.options.refreshTokens.create({
      id: sha256(token),
      accessTokenId: accessToken.id,
      expiresAt: new Date(this.now() + ttlSeconds * 1000),
      grantId,
    });
    return token;
  }

  /** Validates a bearer token; undefined means "not authenticated" (the HTTP layer answers 401). */
  async authenticate(jwt: string): Promise<AuthenticatedToken | undefined> {
    const claims = await this.verifySignature(jwt);
    if (!claims) return undefined;
    const { jti, aud, sub } = claims;
    const clientId = claims.client_id ?? (Array.isArray(aud) ? aud[0] : aud);
    if (typeof jti !== 'string' || typeof clientId !== 'string') return undefined;
    const userId = await this.userOf(jti, sub, clientId);
    if (!(await this.isLive(jti, clientId, userId))) return undefined;
    const scopes = Array.isArray(claims.scopes) ? claims.scopes.filter((s): s is string => typeof s === 'string') : [];
    return { tokenId: jti, clientId, userId, scopes, expiresAt: claims.exp ?? 0 };
  }

  /**
   * The user a token was issued to: `sub`, unless it is the client's own id (a client
   * credentials token, RFC 9068). A Passport app with integer client ids can have a user whose
   * id equals the client's (user 1 through personal access client 1): only the token's row
   * tells those apart, so that rare case reads it.
   */
  private async userOf(jti: string, sub: string | undefined, clientId: string): Promise<number | null> {
    if (sub === undefined || !/^\d+$/.test(sub)) return null;
    if (sub !== clientId) return Number(sub);
    return (await this.options.accessTokens.findById(jti))?.userId ?? null;
  }

  private async verifySignature(jwt: string) {
    let key: VerificationKey | undefined;
    try {
      const header = decodeProtectedHeader(jwt);
      // Passport's own tokens carry no kid: they were signed by the configured (RSA) key.
      key = header.kid ? this.options.keys.verification.get(header.kid) : this.keyForAlgorithm(header.alg);
      if (!key || header.alg !== key.alg) return undefined;
      const { payload } = await jwtVerify<{ scopes?: unknown; client_id?: string }>(jwt, key.publicKey, {
        algorithms: [key.alg],
        // Rounded up to the next second: Passport writes fractional nbf values, which jose
        // compares with whole seconds; expiry stays strict (at worst a second early).
        currentDate: new Date(Math.ceil(this.now() / 1000) * 1000),
        requiredClaims: ['jti', 'exp'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  private keyForAlgorithm(alg: string | undefined): VerificationKey | undefined {
    for (const key of this.options.keys.verification.values()) if (key.alg === alg) return key;
    return undefined;
  }

  /** The token's row exists and is not revoked, its client is not revoked and its user still exists. */
  private async isLive(jti: string, clientId: string, userId: number | null): Promise<boolean> {
    const { cache } = this.options;
    const keys = [cacheKeys.token(jti), ...(userId === null ? [] : [cacheKeys.user(userId)])];
    const [tokenState, userState] = await cache.many<string>(keys);
    if (tokenState === 'revoked' || userState === 'missing') return false;
    const client = await this.options.clients.find(clientId);
    if (!client || client.revoked) return false;
    if (tokenState === undefined) {
      // Issued by another node before its cache entry reached us, or evicted: ask the database once.
      const row = await this.options.accessTokens.findById(jti);
      const state: TokenState = row && !row.revoked && row.clientId === clientId ? 'live' : 'revoked';
      const ttl = row ? Math.max(1, Math.ceil((row.expiresAt.getTime() - this.now()) / 1000)) : 60;
      await cache.put(cacheKeys.token(jti), state, ttl);
      if (state === 'revoked') return false;
    }
    if (userId !== null && userState === undefined) {
      const user = await this.options.users.findById(userId);
      await cache.put(cacheKeys.user(userId), (user ? 'present' : 'missing') satisfies UserState, USER_CACHE_SECONDS);
      if (!user) return false;
    }
    return true;
  }

  /** Revokes an access token and its refresh tokens; every node sees it at once through the shared cache. */
  async revokeAccessToken(jti: string): Promise<boolean> {
    const revoked = await this.options.accessTokens.revoke(jti);
    await this.markRevoked([jti]);
    return revoked;
  }

  /** Replay defence (RFC 9700 §4.14.2, §2.1.1): revoke everything descended from one grant. */
  async revokeGrant(grantId: string): Promise<void> {
    await this.markRevoked(await this.options.accessTokens.revokeGrant(grantId));
  }

  /** Records revocations already written to the database. */
  async markRevoked(jtis: string[]): Promise<void> {
    await Promise.all(jtis.map((jti) => this.options.cache.put(cacheKeys.token(jti), 'revoked' satisfies TokenState, 86400 * 366)));
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
