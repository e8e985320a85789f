import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseDuration } from '../../src/duration.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.appUrl).toBe('http://localhost:8000');
    expect(config.databaseUrl).toMatch(/^sqlite:.*storage\/database\.sqlite$/);
    expect(config.accessTokenTtl).toBe(3600);
    expect(config.refreshTokenTtl).toBe(30 * 86400);
    expect(config.personalAccessTokenTtl).toBe(365 * 86400);
    expect(config.authCodeTtl).toBe(600);
    expect(config.passwordGrant).toBe(false);
    expect(config.implicitGrant).toBe(false);
    expect(config.registration).toBe('open');
    expect([config.tokenRateLimit, config.registerRateLimit, config.loginRateLimit]).toEqual([60, 10, 5]);
    expect([config.trustProxy, config.requestTimeout, config.shutdownTimeout, config.logLevel]).toEqual([false, 30, 10, 'info']);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['APP_URL', 'not a url'],
    ['APP_URL', 'ftp://example.com'],
    ['APP_DEBUG', 'maybe'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'localhost:6379'],
    ['ACCESS_TOKEN_TTL', 'soon'],
    ['ACCESS_TOKEN_TTL', '0'],
    ['REGISTRATION', 'sometimes'],
    ['TOKEN_RATE_LIMIT', '-1'],
    ['OAUTH_SCOPES', '["a"]'],
    ['OAUTH_PRIVATE_KEY', 'not a pem'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'maybe'],
    ['REQUEST_TIMEOUT', '0'],
    ['SHUTDOWN_TIMEOUT', 'soon'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrowError(new RegExp(name));
  });

  it('reads durations in seconds, units and ISO 8601', () => {
    expect(parseDuration('3600')).toBe(3600);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('30d')).toBe(30 * 86400);
    expect(parseDuration('P1Y')).toBe(365 * 86400);
    expect(parseDuration('PT1H30M')).toBe(5400);
    expect(parseDuration('P')).toBeUndefined();
    expect(parseDuration('1 fortnight')).toBeUndefined();
    expect(loadConfig({ PERSONAL_ACCESS_TOKEN_TTL: 'P1Y' }).personalAccessTokenTtl).toBe(365 * 86400);
  });

  it('reads declared scopes from OAUTH_SCOPES and strips a trailing slash from APP_URL', () => {
    const config = loadConfig({ OAUTH_SCOPES: '{"orders:read":"Read orders"}', APP_URL: 'https://auth.example.com/' });
    expect(config.scopes).toEqual({ 'orders:read': 'Read orders' });
    expect(config.appUrl).toBe('https://auth.example.com');
  });
});

describe('the default APP_URL', () => {
  it('is where the server listens', () => {
    expect(loadConfig({ PORT: '9000' }).appUrl).toBe('http://localhost:9000');
    expect(loadConfig({ HOST: '127.0.0.1', PORT: '9001' }).appUrl).toBe('http://127.0.0.1:9001');
    expect(loadConfig({ HOST: '0.0.0.0' }).appUrl).toBe('http://localhost:8000');
    expect(loadConfig({ HOST: '::1', PORT: '9002' }).appUrl).toBe('http://[::1]:9002');
  });
});
