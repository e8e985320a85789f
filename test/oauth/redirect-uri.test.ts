import { describe, expect, it } from 'vitest';
import { appendToRedirectUri, isAcceptableRedirectUri, redirectUriMatches, resolveRedirectUri } from '../../src/oauth/redirect-uri.js';

describe('redirect URI matching (RFC 9700 §4.1.3: exact match)', () => {
  const registered = ['https://good.example/callback', 'https://good.example/other?tenant=1', 'com.example.app:/oauth'];

  it('accepts only a registered URI, character for character', () => {
    expect(resolveRedirectUri('https://good.example/callback', registered)).toEqual({ ok: true, uri: 'https://good.example/callback', sent: 'https://good.example/callback' });
    expect(resolveRedirectUri('https://good.example/other?tenant=1', registered).ok).toBe(true);
    expect(resolveRedirectUri('com.example.app:/oauth', registered).ok).toBe(true);
    for (const uri of [
      'https://good.example@evil.example/callback',
      'https://good.example:443@evil.example/callback',
      'https://user@good.example/callback',
      'https://good.example/callback#frag',
      'https://good.example/callback#',
      'HTTPS://GOOD.EXAMPLE/callback',
      'https://GOOD.example/callback',
      'https://good.example/Callback',
      'https://good.example/callback/',
      'https://good.example/callback?x=1',
      'https://good.example/other?tenant=2',
      'https://good.example/other',
      'https://good.example:443/callback',
      'https://good.example/%63allback',
      'https://good.example/callback/../callback',
      'https://good.example.evil.example/callback',
      'https://evil.example/callback',
      'https://good.example\\@evil.example/callback',
      ' https://good.example/callback',
      'javascript:alert(1)',
      '/callback',
      '',
    ]) {
      expect({ uri, result: resolveRedirectUri(uri, registered) }).toEqual({ uri, result: { ok: false, reason: 'mismatch' } });
    }
  });

  it('uses the only registered URI when none is sent, and refuses to guess between several', () => {
    expect(resolveRedirectUri(undefined, ['https://one.example/cb'])).toEqual({ ok: true, uri: 'https://one.example/cb', sent: null });
    expect(resolveRedirectUri(undefined, registered)).toEqual({ ok: false, reason: 'missing' });
    expect(resolveRedirectUri(undefined, [])).toEqual({ ok: false, reason: 'missing' });
  });

  it('lets a loopback redirect URI use any port, and nothing else vary (RFC 8252 §7.3)', () => {
    const loopback = ['http://127.0.0.1/callback', 'http://[::1]:8080/cb', 'http://localhost/cb?x=1'];
    for (const uri of ['http://127.0.0.1/callback', 'http://127.0.0.1:51234/callback', 'http://127.0.0.1:1/callback', 'http://[::1]/cb', 'http://[::1]:65535/cb', 'http://localhost:3000/cb?x=1']) {
      expect({ uri, ok: resolveRedirectUri(uri, loopback).ok }).toEqual({ uri, ok: true });
    }
    for (const uri of [
      'http://127.0.0.1:51234/other',
      'http://127.0.0.1:51234/callback/',
      'http://127.0.0.1:51234/callback?x=1',
      'http://127.0.0.1:0/callback',
      'http://127.0.0.1:99999/callback',
      'http://127.0.0.1:51234@evil.example/callback',
      'http://127.0.0.1:51234/callback#x',
      'https://127.0.0.1:51234/callback',
      'http://localhost:51234/callback',
      'http://127.0.0.2:51234/callback',
      'http://[::1]:80/other',
      'http://localhost:3000/cb?x=2',
      'http://localhost.evil.example:3000/cb?x=1',
    ]) {
      expect({ uri, ok: resolveRedirectUri(uri, loopback).ok }).toEqual({ uri, ok: false });
    }
    // The port rule is only for loopback registrations.
    expect(redirectUriMatches('https://good.example:8443/callback', 'https://good.example/callback')).toBe(false);
  });

  it('judges a URI safe to redirect to only without user information, fragment or script scheme', () => {
    expect(isAcceptableRedirectUri('https://good.example/cb?a=b')).toBe(true);
    expect(isAcceptableRedirectUri('https://good.example/cb?next=a@b')).toBe(true);
    expect(isAcceptableRedirectUri('https://a@good.example/cb')).toBe(false);
    expect(isAcceptableRedirectUri('data:text/html,hi')).toBe(false);
    expect(isAcceptableRedirectUri('not a uri')).toBe(false);
  });

  it('appends response parameters, keeping the query the client registered', () => {
    expect(appendToRedirectUri('https://c.example/cb', { code: 'a b', state: undefined, iss: 'https://as.example' })).toBe('https://c.example/cb?code=a+b&iss=https%3A%2F%2Fas.example');
    expect(appendToRedirectUri('https://c.example/cb?tenant=1', { code: 'x' })).toBe('https://c.example/cb?tenant=1&code=x');
    expect(appendToRedirectUri('https://c.example/cb', { access_token: 't' }, 'fragment')).toBe('https://c.example/cb#access_token=t');
  });
});
