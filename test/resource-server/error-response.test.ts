import { describe, expect, it } from 'vitest';
import { ResourceServerError, protectResource } from '../../src/resource-server/index.js';

const guard = protectResource({ issuer: 'https://auth.example.com', resource: 'https://mcp.example.com/mcp', scopes: ['notes:read'] });
const metadata = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

describe('errorResponse', () => {
  it('answers an unreachable key set with 503 and no challenge, so clients do not re-authorize', () => {
    const answer = guard.errorResponse(ResourceServerError.unavailable(new Error('connect ECONNREFUSED')));
    expect(answer.status).toBe(503);
    expect(answer.headers['www-authenticate']).toBeUndefined();
    expect(answer.body.error).toBe('temporarily_unavailable');
  });

  it('answers anything else with a 500 that says nothing about the token', () => {
    expect(guard.errorResponse(new TypeError('boom'))).toEqual({
      status: 500,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: { error: 'server_error', error_description: 'The request could not be processed' },
    });
  });

  it('names the scopes of the call in the challenge', () => {
    const answer = guard.errorResponse(ResourceServerError.missingToken(), { scopes: ['notes:write', 'notes:read'] });
    expect(answer.headers['www-authenticate']).toBe(`Bearer scope="notes:write notes:read", resource_metadata="${metadata}"`);
  });

  it('keeps quotes and backslashes out of quoted challenge values (RFC 6750 §3)', () => {
    const answer = guard.errorResponse(ResourceServerError.invalidToken('bad "token" \\ here\n'));
    expect(answer.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="bad token  here", scope="notes:read", resource_metadata="${metadata}"`,
    );
  });
});
