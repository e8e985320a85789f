import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
export const PASSWORD = 'password123';

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export const AUTHORIZATION_PENDING = {
  error: 'authorization_pending',
  error_description:
    "The authorization request is still pending as the end user hasn't yet completed the user interaction steps. The client SHOULD repeat the Access Token Request to the token endpoint",
  message:
    "The authorization request is still pending as the end user hasn't yet completed the user interaction steps. The client SHOULD repeat the Access Token Request to the token endpoint",
};

export const SLOW_DOWN = {
  error: 'slow_down',
  error_description:
    'The authorization request is still pending and polling should continue, but the interval MUST be increased by 5 seconds for this and all subsequent requests.',
  message:
    'The authorization request is still pending and polling should continue, but the interval MUST be increased by 5 seconds for this and all subsequent requests.',
};

export const EXPIRED_TOKEN = {
  error: 'expired_token',
  error_description: 'The `device_code` has expired and the device authorization session has concluded.',
  message: 'The `device_code` has expired and the device authorization session has concluded.',
};

export const ACCESS_DENIED = {
  error: 'access_denied',
  error_description: 'The resource owner or authorization server denied the request.',
  hint: 'The user denied the request',
  message: 'The resource owner or authorization server denied the request.',
};

export function invalidGrant(hint: string) {
  const description =
    'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
  return { error: 'invalid_grant', error_description: description, hint, message: description };
}

/** POST /oauth/device/code with a form body. */
export function requestCodes(t: TestApp, form: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/oauth/device/code', headers: { ...FORM, ...headers }, payload: new URLSearchParams(form).toString() });
}

/** POST /oauth/token with the device code grant. */
export function poll(t: TestApp, form: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { ...FORM, ...headers },
    payload: new URLSearchParams({ grant_type: DEVICE_GRANT, ...form }).toString(),
  });
}

/** A browser logged in as `email` through the login form. */
export async function loggedInBrowser(t: TestApp, email: string): Promise<InjectBrowser> {
  const browser = new InjectBrowser(t.app);
  const login = await loginThroughForm(browser, email, PASSWORD);
  expect(login.statusCode).toBe(302);
  return browser;
}

/**
 * What a user does on the device page: open it with the code, submit the form, then press
 * Approve or Deny on the confirmation page. Returns the final response.
 */
export async function answerThroughPages(browser: InjectBrowser, userCode: string, action: 'approve' | 'deny') {
  const entry = await browser.get(`/oauth/device?user_code=${encodeURIComponent(userCode)}`);
  expect(entry.statusCode).toBe(200);
  const confirm = await browser.post('/oauth/device', {
    _token: inputValue(entry.body, '_token') ?? '',
    user_code: inputValue(entry.body, 'user_code') ?? '',
  });
  expect(confirm.statusCode).toBe(200);
  return browser.post('/oauth/device', {
    _token: inputValue(confirm.body, '_token') ?? '',
    user_code: inputValue(confirm.body, 'user_code') ?? '',
    action,
  });
}
