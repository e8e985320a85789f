import type { ClientDirectory } from './client-directory.js';
import type { JwsHeader } from './compact-jws.js';
import type { ReadJws } from './compact-jws.js';
import { encodeHeader, readCompact, signCompact, signatureHolds } from './compact-jws.js';
import type { AccessToken, AccessTokenRepository, RefreshTokenRepository, ResourceOwner, UserLookup } from './ports.js';
import { accessTokenId, opaqueToken, sha256 } from './random-tokens.js';
import type { KeySet } from './signing-keys.js';
import type { StateCache } from './state-cache.js';
import { NOT_IN_MEMORY, USER_CACHE_SECONDS, cacheKeys } from './state-cache.js';
import { VerifiedTokens } from './verified-tokens.js';

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
  /** RFC 8707: the resources the token is for, its `aud`; none: the client id (as Passport). */
  resources?: string[] | null;
}

export interface IssuedAccessToken {
  jwt: string;
  record: AccessToken;
}

/** A bearer token that passed every check: signature, claims, row, client and user. */
export interface AuthenticatedToken {
  tokenId: string;
  clientId: string;
  userId: number | null;
  scopes: string[];
  /** The token's audience: its resources, or the client id. */
  audience: string[];
  expiresAt: number;
  /** The token's user as stored (cached, so `GET /api/user` reads no row); null for a machine client. */
  user: ResourceOwner | null;
  /** The JWT's verified claims (introspection answers with them). */
  claims: Readonly<Record<string, unknown>>;
}

/**
 * What the database holds about a live token, kept in the cache so that validating a bearer
 * token reads no row on the common path; every claim of the JWT is compared with it.
 */
interface TokenFacts {
  user: number | null;
  client: string;
  scopes: string[];
  audience: string[];
  /** The first 128 bits (hex) of the SHA-256 of the JWT as issued; absent for tokens of older versions, Passport's and those read back from the database. */
  print?: string;
}

type TokenState = TokenFacts | 'revoked';

/** A presented JWT and its claims; `unchecked` holds it while its signature is still to check. */
interface Presented {
  jwt: string;
  claims: Record<string, unknown>;
  unchecked: ReadJws | undefined;
}
/** A user's profile as cached (JSON, so Redis holds it too): times in epoch milliseconds. */
interface CachedProfile {
  id: number;
  name: string;
  email: string;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}
type UserState = CachedProfile | 'missing';

/** Seconds of clock difference tolerated for `iat` and `nbf` (another node's clock, Passport's fractional times). */
const CLOCK_SKEW_SECONDS = 30;
/** How long a revocation is remembered: past any token's lifetime. */
const REVOKED_SECONDS = 86400 * 366;

/** Issues, validates and revokes access tokens (RFC 9068 JWTs with Passport's claims). */
export class TokenService {
  private readonly now: () => number;
  /** The encoded header of every token of the active key, computed once. */
  private readonly encodedHeader: string;
  private readonly verified = new VerifiedTokens();

  constructor(private readonly options: TokenServiceOptions) {
    this.now = options.now ?? Date.now;
    this.encodedHeader = encodeHeader(options.keys.active, 'at+jwt');
  }

  async issueAccessToken(request: IssueAccessToken): Promise<IssuedAccessToken> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + request.ttlSeconds;
    const jti = accessTokenId();
    const resources = request.resources && request.resources.length > 0 ? request.resources : null;
    const audience = resources ?? [request.clientId];
    const jwt = signCompact(
      this.encodedHeader,
      {
        // RFC 7519 §4.1.3: one audience is a string, several an array.
        aud: audience.length === 1 ? audience[0] : audience,
        jti,
        iat,
        nbf: iat,
        exp,
        sub: request.userId === null ? request.clientId : String(request.userId),
        scopes: request.scopes,
        iss: this.options.issuer,
        client_id: request.clientId,
        scope: request.scopes.join(' '),
      },
      this.options.keys.active,
    );
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
      resources,
    };
    await this.options.accessTokens.create(record);
    // The row exists now: say so in the cache, so validating this token never reads the database.
    await this.options.cache.put(cacheKeys.token(jti), { ...factsOf(record), print: printOf(jwt) } satisfies TokenFacts, request.ttlSeconds);
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

  /**
   * Validates a bearer token; undefined means "not authenticated" (the HTTP layer answers 401).
   * The JWT must be ours (signature, `iss`), current (`exp`, `nbf`, `iat` not in the future),
   * and every claim must agree with the stored token: user, client, scopes and audience come
   * from what was stored, never from the token alone.
   */
  async authenticate(jwt: string): Promise<AuthenticatedToken | undefined> {
    return this.authenticateOrDefer(jwt);
  }

  /**
   * The same check, answered at once when this process's cache holds everything it needs (the
   * token's state, its client and its user: the common case on one node), and as a promise
   * when it must ask Redis or the database. The bearer check runs on every API request; a
   * promise per step was a measurable part of it.
   */
  authenticateOrDefer(jwt: string): AuthenticatedToken | undefined | Promise<AuthenticatedToken | undefined> {
    const presented = this.present(jwt);
    if (!presented) return undefined;
    const known = this.fromMemory(presented);
    return known === NOT_IN_MEMORY ? this.fromStorage(presented) : known;
  }

  /**
   * A JWT naming one of our keys whose claims are current and of this issuer, its signature
   * checked or still to check (see `signed`). A token whose signature was checked before is
   * taken from memory (its `exp` still checked): the signature and the claims below cannot
   * have changed, and revocation is checked every time.
   */
  private present(jwt: string): Presented | undefined {
    const now = this.now() / 1000;
    const remembered = this.verified.get(jwt, now);
    if (remembered) return { jwt, claims: remembered, unchecked: undefined };
    const read = readCompact(jwt, this.options.keys);
    if (!read || !acceptedType(read.header)) return undefined;
    const claims = read.payload;
    const { exp, nbf, iat, jti, iss } = claims;
    if (typeof jti !== 'string' || typeof exp !== 'number' || exp <= now) return undefined;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + CLOCK_SKEW_SECONDS)) return undefined;
    if (iat !== undefined && (typeof iat !== 'number' || iat > now + CLOCK_SKEW_SECONDS)) return undefined;
    // Our tokens name this issuer and carry iat; Passport's own (no kid) carry no `iss` at all.
    if (read.header.kid !== undefined ? iss !== this.options.issuer || iat === undefined : iss !== undefined && iss !== this.options.issuer) {
      return undefined;
    }
    return { jwt, claims, unchecked: read };
  }

  /**
   * True when the token is one we signed: its signature was checked before, or it is, byte for
   * byte, the token its state says was issued (the state keeps the first 128 bits of the issued
   * JWT's SHA-256: finding another string with that print is as hard as breaking SHA-256, so this
   * check is as strong as the signature's and costs a hash instead of an ECDSA verification), or
   * its signature holds now.
   */
  private signed(presented: Presented, facts: TokenFacts | undefined): boolean {
    const { unchecked } = presented;
    if (unchecked === undefined) return true;
    // The print is of a token the caller holds already: comparing it leaks nothing worth a constant-time compare.
    const issuedAsIs = facts?.print !== undefined && facts.print === printOf(presented.jwt);
    if (!issuedAsIs && !signatureHolds(unchecked)) return false;
    this.verified.remember(presented.jwt, presented.claims);
    return true;
  }

  /**
   * The check's second half from this process's cache alone; NOT_IN_MEMORY when the token's
   * state is not there, and the rest through `fromStorage` when its client or user is not.
   */
  private fromMemory(presented: Presented): AuthenticatedToken | undefined | Promise<AuthenticatedToken | undefined> | typeof NOT_IN_MEMORY {
    const { cache, clients } = this.options;
    if (cache.peek === undefined) return NOT_IN_MEMORY;
    const { claims } = presented;
    const state = cache.peek<TokenState>(cacheKeys.token(claims.jti as string));
    if (!isTokenState(state)) return NOT_IN_MEMORY;
    if (state === 'revoked' || !this.signed(presented, state) || !claimsAgree(claims, state)) return undefined;
    const client = clients.findInMemory(state.client);
    // The signature is settled by now: the rest need not check it again.
    if (client === NOT_IN_MEMORY) return this.fromStorage({ ...presented, unchecked: undefined });
    if (!client || client.revoked) return undefined;
    let user: ResourceOwner | null = null;
    if (state.user !== null) {
      const cachedUser = cache.peek<UserState>(cacheKeys.user(state.user));
      if (cachedUser === 'missing') return undefined;
      if (!isCachedProfile(cachedUser)) return this.fromStorage({ ...presented, unchecked: undefined });
      user = profileFrom(cachedUser);
    }
    return authenticated(claims, state, user);
  }

  /** The check's second half through the cache's promise API (Redis) and, for what it lacks, the database. */
  private async fromStorage(presented: Presented): Promise<AuthenticatedToken | undefined> {
    const { claims } = presented;
    const jti = claims.jti as string;
    const claimedUser = typeof claims.sub === 'string' && /^\d+$/.test(claims.sub) ? Number(claims.sub) : null;
    const keys = [cacheKeys.token(jti), ...(claimedUser === null ? [] : [cacheKeys.user(claimedUser)])];
    const [cachedState, cachedUser] = await this.options.cache.many<TokenState | UserState>(keys);
    let facts: TokenState;
    if (isTokenState(cachedState)) {
      facts = cachedState;
      if (facts !== 'revoked' && !this.signed(presented, facts)) return undefined;
    } else {
      // Only a token we signed may cost a database read.
      if (!this.signed(presented, undefined)) return undefined;
      facts = await this.loadFacts(jti);
    }
    if (facts === 'revoked' || !claimsAgree(claims, facts)) return undefined;
    const client = await this.options.clients.find(facts.client);
    if (!client || client.revoked) return undefined;
    let user: ResourceOwner | null = null;
    if (facts.user !== null) {
      user = (await this.userProfile(facts.user, facts.user === claimedUser ? (cachedUser as UserState | undefined) : undefined)) ?? null;
      if (user === null) return undefined;
    }
    return authenticated(claims, facts, user);
  }

  /** Issued by another node before its cache entry reached us, or evicted: ask the database once. */
  private async loadFacts(jti: string): Promise<TokenState> {
    const row = await this.options.accessTokens.findById(jti);
    const state: TokenState = row && !row.revoked ? factsOf(row) : 'revoked';
    const ttl = row ? Math.max(1, Math.ceil((row.expiresAt.getTime() - this.now()) / 1000)) : 60;
    await this.options.cache.put(cacheKeys.token(jti), state, ttl);
    return state;
  }

  /** The token's user: from the cache (trusted for USER_CACHE_SECONDS, dropped when it changes), else one row. */
  private async userProfile(userId: number, cached: UserState | undefined): Promise<ResourceOwner | undefined> {
    if (cached === 'missing') return undefined;
    if (isCachedProfile(cached)) return profileFrom(cached);
    const user = await this.options.users.findById(userId);
    await this.options.cache.put(cacheKeys.user(userId), user ? cachedProfile(user) : ('missing' satisfies UserState), USER_CACHE_SECONDS);
    return user;
  }

  /** Revokes an access token and its refresh tokens; every node sees it at once through the shared cache. */
  async revokeAccessToken(jti: string): Promise<boolean> {
    const revoked = await this.options.accessTokens.revoke(jti);
    await this.markRevoked([jti]);
    return revoked;
  }

  /** Replay defence (RFC 9700 §4.14.2, §2.1.1): revoke everything descended from one grant, now and later. */
  async revokeGrant(grantId: string): Promise<void> {
    await this.markRevoked(await this.options.accessTokens.revokeGrant(grantId));
  }

  /** True when the grant was revoked for replay: tokens just written to it must be revoked too. */
  isGrantRevoked(grantId: string): Promise<boolean> {
    return this.options.accessTokens.isGrantRevoked(grantId);
  }

  /** Records revocations already written to the database. */
  async markRevoked(jtis: string[]): Promise<void> {
    await Promise.all(jtis.map((jti) => this.options.cache.put(cacheKeys.token(jti), 'revoked' satisfies TokenState, REVOKED_SECONDS)));
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** The print a token state keeps of the JWT as issued (see TokenService.signed). */
function printOf(jwt: string): string {
  return sha256(jwt).slice(0, 32);
}

function authenticated(claims: Record<string, unknown>, facts: TokenFacts, user: ResourceOwner | null): AuthenticatedToken {
  return {
    tokenId: claims.jti as string,
    clientId: facts.client,
    userId: facts.user,
    scopes: facts.scopes,
    audience: facts.audience,
    expiresAt: claims.exp as number,
    user,
    claims,
  };
}

/** A cached token state; anything else (absent, or the bare `live` marker of older versions) is read again. */
function isTokenState(value: unknown): value is TokenState {
  return value === 'revoked' || (typeof value === 'object' && value !== null && Array.isArray((value as TokenFacts).audience));
}

/** A cached profile; anything else (the bare `present` marker of older versions) is read again. */
function isCachedProfile(value: unknown): value is CachedProfile {
  return typeof value === 'object' && value !== null && typeof (value as CachedProfile).updatedAt === 'number';
}

function cachedProfile(user: ResourceOwner): CachedProfile {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    verifiedAt: user.emailVerifiedAt?.getTime() ?? null,
    createdAt: user.createdAt.getTime(),
    updatedAt: user.updatedAt.getTime(),
  };
}

/**
 * The profile of a cached entry, made once per entry: the memory cache hands back the same
 * entry until the user changes (Redis a new one each time, which is simply made again).
 * Callers only read it.
 */
const profiles = new WeakMap<CachedProfile, ResourceOwner>();

function profileFrom(cached: CachedProfile): ResourceOwner {
  let profile = profiles.get(cached);
  if (profile === undefined) {
    profile = profileOf(cached);
    profiles.set(cached, profile);
  }
  return profile;
}

function profileOf(cached: CachedProfile): ResourceOwner {
  return {
    id: cached.id,
    name: cached.name,
    email: cached.email,
    emailVerifiedAt: cached.verifiedAt === null ? null : new Date(cached.verifiedAt),
    createdAt: new Date(cached.createdAt),
    updatedAt: new Date(cached.updatedAt),
  };
}

/** RFC 9068 §2.1 `at+jwt`; Passport's tokens say `JWT` (and carry no kid). */
function acceptedType(header: JwsHeader): boolean {
  return header.typ === 'at+jwt' || (header.kid === undefined && (header.typ === 'JWT' || header.typ === undefined));
}

function factsOf(token: Pick<AccessToken, 'userId' | 'clientId' | 'scopes' | 'resources'>): TokenFacts {
  return { user: token.userId, client: token.clientId, scopes: token.scopes, audience: token.resources ?? [token.clientId] };
}

/**
 * How an in-memory cache may keep token states compactly (see the cache's compact lane): the
 * client, scopes and audience are shared by many tokens, the user id is the token's own.
 */
export const tokenStateLane = {
  prefix: cacheKeys.token(''),
  split(value: unknown): { shared: unknown; own: number | null; print: string | undefined } | undefined {
    if (value === 'revoked') return { shared: 'revoked', own: null, print: undefined };
    if (!isTokenState(value)) return undefined;
    const { user, client, scopes, audience, print } = value as TokenFacts;
    if (user !== null && !Number.isSafeInteger(user)) return undefined;
    return { shared: { client, scopes, audience }, own: user, print };
  },
  join(shared: unknown, own: number | null, print: string | undefined): TokenState {
    if (shared === 'revoked') return 'revoked';
    const { client, scopes, audience } = shared as Omit<TokenFacts, 'user'>;
    return print === undefined ? { client, scopes, audience, user: own } : { client, scopes, audience, user: own, print };
  },
};

/**
 * The JWT says what the row says: its audience, client, subject and scopes. A token signed
 * with our key but claiming anything else (another user, more scopes, another audience) is
 * refused. Passport's tokens carry no `client_id` and, for client credentials, an empty `sub`.
 */
function claimsAgree(claims: Record<string, unknown>, facts: TokenFacts): boolean {
  const audience = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!Array.isArray(audience) || !sameSet(audience, facts.audience)) return false;
  if (claims.client_id !== undefined && claims.client_id !== facts.client) return false;
  const sub = claims.sub;
  const expectedSub = facts.user === null ? facts.client : String(facts.user);
  if (sub !== expectedSub && !(facts.user === null && (sub === undefined || sub === ''))) return false;
  const scopes = claims.scopes ?? (typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []);
  return Array.isArray(scopes) && sameSet(scopes, facts.scopes);
}

function sameSet(claimed: unknown[], stored: readonly string[]): boolean {
  const set = new Set(stored);
  return claimed.length === set.size && claimed.every((value) => typeof value === 'string' && set.has(value)) && new Set(claimed).size === set.size;
}
