import type { ClientMetadata, ClientMetadataOptions } from './client-metadata-document.js';
import { checkClientIdUrl, isClientIdMetadataUrl, validateClientMetadataDocument } from './client-metadata-document.js';
import type { Client, ClientRepository } from './ports.js';

/** Where metadata documents come from: an SSRF-guarded fetch (src/net) in production. */
export interface ClientMetadataSource {
  /** The parsed JSON at `url` and how long it may be cached; throws when it cannot be had. */
  fetch(url: string): Promise<{ document: unknown; cacheSeconds: number }>;
}

export type MetadataResolution = { ok: true; client: Client; cacheSeconds: number } | { ok: false; reason: string };

/** Client ids in the database are at most this long (PostgreSQL's `varchar(255)`). */
const MAX_CLIENT_ID_LENGTH = 255;

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a `client_id`
 * that is an https URL is the address of the client's registration. The document is fetched,
 * validated against its URL, and mirrored into `oauth_clients` (origin `cimd`) so tokens,
 * codes and the user's list of authorized applications work as for any client. Such a client
 * is public (PKCE required), never first-party, and is asked for consent every time.
 */
export class ClientMetadataResolver {
  constructor(
    private readonly source: ClientMetadataSource,
    private readonly store: Pick<ClientRepository, 'saveMetadataDocumentClient'>,
    private readonly options: ClientMetadataOptions,
  ) {}

  /** True when this client id is a metadata document URL (rather than an id Authgate issued). */
  handles(clientId: string): boolean {
    return isClientIdMetadataUrl(clientId, this.options);
  }

  async resolve(clientId: string): Promise<MetadataResolution> {
    if (clientId.length > MAX_CLIENT_ID_LENGTH) return { ok: false, reason: `client_id must be at most ${MAX_CLIENT_ID_LENGTH} characters` };
    const url = checkClientIdUrl(clientId, this.options);
    if (!url.ok) return { ok: false, reason: url.error.message };
    let fetched: { document: unknown; cacheSeconds: number };
    try {
      fetched = await this.source.fetch(clientId);
    } catch (error) {
      return { ok: false, reason: `the client metadata document could not be fetched (${error instanceof Error ? error.message : String(error)})` };
    }
    const checked = validateClientMetadataDocument(clientId, fetched.document, this.options);
    if (!checked.ok) return { ok: false, reason: checked.error.message };
    const client = await this.store.saveMetadataDocumentClient(record(checked.client));
    return { ok: true, client, cacheSeconds: fetched.cacheSeconds };
  }
}

/** What the mirror row holds: the document's name, redirect URIs and grants; what the consent page shows. */
function record(metadata: ClientMetadata) {
  // A client that may use the code flow refreshes its tokens too, as every public client here.
  const grantTypes = [...new Set([...metadata.grantTypes, ...(metadata.grantTypes.includes('authorization_code') ? ['refresh_token'] : [])])];
  return {
    id: metadata.clientId,
    name: metadata.name,
    redirectUris: metadata.redirectUris,
    grantTypes,
    metadata: {
      ...(metadata.clientUri !== null ? { client_uri: metadata.clientUri } : {}),
      ...(metadata.logoUri !== null ? { logo_uri: metadata.logoUri } : {}),
      token_endpoint_auth_method: metadata.tokenEndpointAuthMethod,
    },
  };
}
