import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * What an MCP client application keeps between runs, in memory: its registration, its tokens
 * and the PKCE verifier of the authorization in progress. Where a desktop client would open
 * the browser, it records the URL for the test to play the user.
 */
export class MemoryOAuthProvider implements OAuthClientProvider {
  /** The last authorization URL the SDK sent the user to. */
  authorizationUrl: URL | undefined;
  /** Every `state` this client generated, the last one last. */
  readonly states: string[] = [];
  /** Every token response the SDK saved, in order. */
  readonly savedTokens: OAuthTokens[] = [];
  private client: OAuthClientInformationMixed | undefined;
  private verifier: string | undefined;

  constructor(
    readonly redirectUrl: string,
    readonly clientMetadata: OAuthClientMetadata,
    /** Set: the client identifies itself by this metadata document (CIMD); unset: it registers (DCR). */
    readonly clientMetadataUrl?: string,
  ) {}

  state(): string {
    const state = randomBytes(16).toString('base64url');
    this.states.push(state);
    return state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.client = client;
  }

  tokens(): OAuthTokens | undefined {
    return this.savedTokens.at(-1);
  }

  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens.push(tokens);
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no authorization in progress');
    return this.verifier;
  }
}
