import { describe, expect, it } from 'vitest';
import { isValidRedirectUri, parseRedirectUris } from '../../src/oauth/client-registration.js';

describe('redirect URIs at registration', () => {
  it.each([
    'https://app.example/callback',
    'https://app.example:8443/cb?tenant=1',
    'http://127.0.0.1/callback',
    'http://localhost:3000/cb',
    'com.example.app:/oauth2redirect',
    'myapp://callback',
  ])('accepts %s', (uri) => {
    expect(isValidRedirectUri(uri)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['/callback', 'relative'],
    ['app.example/callback', 'no scheme'],
    ['https://app.example/cb#x', 'a fragment (RFC 6749 §3.1.2)'],
    ['https://app.example/c b', 'whitespace'],
    ['https://app.example\\@evil.example/', 'a backslash'],
    ['https://good.example@evil.example/cb', 'user information'],
    ['javascript:alert(1)', 'a script scheme'],
    ['JavaScript:alert(1)', 'a script scheme in capitals'],
    ['data:text/html,x', 'a data URI'],
    ['http:app.example/cb', 'no authority for http'],
    ['https://', 'no host'],
  ])('rejects %s (%s)', (uri) => {
    expect(isValidRedirectUri(uri)).toBe(false);
  });

  it('splits a comma-separated list, trimming around commas, and rejects it whole when one entry is bad', () => {
    expect(parseRedirectUris('https://a.example/cb, https://b.example/cb')).toEqual(['https://a.example/cb', 'https://b.example/cb']);
    expect(parseRedirectUris('https://a.example/cb,nope')).toBeUndefined();
    expect(parseRedirectUris('https://a.example/cb,')).toBeUndefined();
  });
});
