import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('the configuration of dynamic registration and CORS', () => {
  it('defaults to no dynamic registration, 10 registrations a minute, and CORS for any origin', () => {
    const config = loadConfig({});
    expect(config.dynamicRegistration).toBe('off');
    expect(config.dynamicRegistrationRateLimit).toBe(10);
    expect(config.corsOrigins).toBe('*');
  });

  it('reads the modes, the limit and a list of origins', () => {
    const config = loadConfig({
      OAUTH_DYNAMIC_REGISTRATION: 'token',
      DYNAMIC_REGISTRATION_RATE_LIMIT: '0',
      CORS_ORIGINS: 'https://app.example, http://localhost:5173,https://app.example',
    });
    expect(config.dynamicRegistration).toBe('token');
    expect(config.dynamicRegistrationRateLimit).toBe(0);
    expect(config.corsOrigins).toEqual(['https://app.example', 'http://localhost:5173']);
    expect(loadConfig({ OAUTH_DYNAMIC_REGISTRATION: 'open', CORS_ORIGINS: '*' })).toMatchObject({ dynamicRegistration: 'open', corsOrigins: '*' });
  });

  it.each([
    ['OAUTH_DYNAMIC_REGISTRATION', 'yes', 'must be one of off, open, token, got "yes"'],
    ['DYNAMIC_REGISTRATION_RATE_LIMIT', '-5', 'must be a whole number from 0'],
    // Origins are compared with the browser's Origin header as strings: no path, no trailing slash, lower case.
    ['CORS_ORIGINS', 'https://app.example/', 'got "https://app.example/"'],
    ['CORS_ORIGINS', 'https://app.example, app.example', 'got "app.example"'],
    ['CORS_ORIGINS', 'https://App.example', 'got "https://App.example"'],
    ['CORS_ORIGINS', '*, https://app.example', 'got "*"'],
    ['CORS_ORIGINS', 'ftp://files.example', 'got "ftp://files.example"'],
    ['CORS_ORIGINS', ',', 'got ","'],
  ])('refuses %s=%s with a message naming the variable', (name, value, problem) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrowError(`Invalid configuration: ${name} `);
    expect(() => loadConfig({ [name]: value })).toThrowError(problem);
  });
});

describe('client ID metadata document settings', () => {
  it('read CIMD_ALLOWED_HOSTS as host names and refuse anything else, naming the variable', () => {
    expect(loadConfig({ CIMD_ALLOWED_HOSTS: 'Agents.example.com, tools.example.org' }).cimdAllowedHosts).toEqual(['agents.example.com', 'tools.example.org']);
    expect(() => loadConfig({ CIMD_ALLOWED_HOSTS: 'agents.example.com:8443' })).toThrow(/CIMD_ALLOWED_HOSTS/);
    expect(() => loadConfig({ CIMD_ALLOWED_HOSTS: 'https://agents.example.com' })).toThrow(/CIMD_ALLOWED_HOSTS/);
  });

  it('take REFRESH_TOKEN_REUSE_INTERVAL as a duration, 0 by default', () => {
    expect(loadConfig({}).refreshTokenReuseInterval).toBe(0);
    expect(loadConfig({ REFRESH_TOKEN_REUSE_INTERVAL: '30s' }).refreshTokenReuseInterval).toBe(30);
    expect(() => loadConfig({ REFRESH_TOKEN_REUSE_INTERVAL: 'soon' })).toThrow(/REFRESH_TOKEN_REUSE_INTERVAL/);
  });
});
