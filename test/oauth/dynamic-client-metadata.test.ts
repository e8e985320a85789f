import { describe, expect, it } from 'vitest';
import type { MetadataRules } from '../../src/oauth/dynamic-client-metadata.js';
import { defaultClientName, validateClientMetadata } from '../../src/oauth/dynamic-client-metadata.js';
import { OAuthError } from '../../src/oauth/errors.js';
import { grants } from '../../src/oauth/grants/index.js';
import { registrableGrants } from '../../src/oauth/use-cases/dynamic-registration.js';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const rules: MetadataRules = { grants: registrableGrants(grants), isDeclaredScope: (scope) => ['users:read', 'openid'].includes(scope) };

function refusal(body: unknown, custom: MetadataRules = rules): OAuthError {
  try {
    validateClientMetadata(body, custom);
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('registered client metadata (RFC 7591 §2)', () => {
  it('derives the registrable grants from the grant registry: never password, refresh tokens where a grant issues them', () => {
    expect(rules.grants.map((grant) => grant.grantType)).toEqual(['authorization_code', 'refresh_token', 'client_credentials', DEVICE]);
    expect(rules.grants.find((grant) => grant.grantType === 'client_credentials')).toEqual({
      grantType: 'client_credentials',
      allowsPublicClients: false,
      issuesRefreshTokens: false,
    });
  });

  it('adds refresh_token to the code and device grants, not to client_credentials, and keeps the registered order', () => {
    const device = validateClientMetadata({ grant_types: [DEVICE], token_endpoint_auth_method: 'none' }, rules);
    expect(device).toEqual({
      client_name: 'Unnamed client',
      redirect_uris: [],
      grant_types: [DEVICE, 'refresh_token'],
      response_types: [],
      token_endpoint_auth_method: 'none',
    });
    expect(validateClientMetadata({ grant_types: ['client_credentials'] }, rules).grant_types).toEqual(['client_credentials']);
    const both = validateClientMetadata({ redirect_uris: ['https://a.example/cb'], grant_types: ['refresh_token', 'authorization_code', 'refresh_token'] }, rules);
    expect(both.grant_types).toEqual(['refresh_token', 'authorization_code']);
  });

  it('offers only the grants the deployment has: without the refresh grant nothing is implied', () => {
    const noRefresh: MetadataRules = { ...rules, grants: rules.grants.filter((grant) => grant.grantType !== 'refresh_token') };
    expect(validateClientMetadata({ redirect_uris: ['https://a.example/cb'] }, noRefresh).grant_types).toEqual(['authorization_code']);
    expect(refusal({ redirect_uris: ['https://a.example/cb'], grant_types: ['refresh_token'] }, noRefresh).description).toBe(
      `The grant type refresh_token is not supported for registered clients; supported: authorization_code, client_credentials, ${DEVICE}.`,
    );
  });

  it('names a client after its first redirect URI: the host, or the scheme of a native app', () => {
    expect(defaultClientName(['https://notes.example/cb', 'https://other.example/cb'])).toBe('notes.example');
    expect(defaultClientName(['com.example.notes:/oauth'])).toBe('com.example.notes');
    expect(defaultClientName(['http://[::1]:8080/cb'])).toBe('[::1]');
    expect(validateClientMetadata({ redirect_uris: ['https://a.example/cb'], client_name: '   ' }, rules).client_name).toBe('a.example');
  });

  it('keeps the current method on an update that names none, and treats null and "" as not sent', () => {
    const update = validateClientMetadata({ redirect_uris: ['https://a.example/cb'], client_uri: '', scope: null }, { ...rules, currentAuthMethod: 'none' });
    expect(update.token_endpoint_auth_method).toBe('none');
    expect(update).not.toHaveProperty('client_uri');
    expect(update).not.toHaveProperty('scope');
  });

  it('normalises scope to single spaces without repeats', () => {
    expect(validateClientMetadata({ redirect_uris: ['https://a.example/cb'], scope: ' openid  users:read openid ' }, rules).scope).toBe('openid users:read');
  });

  it('answers with RFC 7591 §3.2.2 errors in league shape', () => {
    const error = refusal({ redirect_uris: ['https://a.example/cb#frag'] });
    expect(error.status).toBe(400);
    expect(error.toJSON()).toEqual({ error: 'invalid_redirect_uri', error_description: error.description, message: error.description });
    expect(refusal([]).code).toBe('invalid_client_metadata');
  });
});
