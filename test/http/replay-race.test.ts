import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/services.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { REDIRECT_URI, basic, confidentialClient, form, insertCode, registeredUser } from '../oauth/fixtures.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

/**
 * Regression: when a code or refresh token was redeemed twice at the same moment, one request
 * won, but the loser's "revoke the grant" often ran before the winner's tokens were stored, so
 * the winner's tokens stayed valid (20 of 20 trials on SQLite for refresh tokens). A grant
 * revoked for replay now also revokes what is written to it afterwards.
 */
describe.each(testDatabases())('parallel redemptions of one code or refresh token on $label', ({ label }) => {
  let t: TestApp;
  let app: ClientWithSecret;
  beforeAll(async () => {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0' } });
    app = await confidentialClient(t);
  });
  afterAll(() => t.close());

  const token = (params: Record<string, string>) => {
    const body = form(params);
    return t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, authorization: basic(app.client.id, app.secret) } });
  };
  const userCall = (accessToken: string) => t.app.inject({ url: '/api/user', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });

  async function firstPair(): Promise<Tokens> {
    const user = await registeredUser(t.services);
    const code = await insertCode(t, { client: app.client, user });
    const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expect(res.statusCode).toBe(200);
    return res.json<Tokens>();
  }

  /** Every token the winner got is dead: its access token is refused, its refresh token too. */
  async function expectWinnerRevoked(winner: Tokens): Promise<void> {
    expect((await userCall(winner.access_token)).statusCode).toBe(401);
    expect((await token({ grant_type: 'refresh_token', refresh_token: winner.refresh_token })).statusCode).toBe(400);
  }

  it('a refresh token presented 20 times at once: one answer with tokens, and none of them stays valid', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const pair = await firstPair();
      const results = await Promise.all(Array.from({ length: 20 }, () => token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })));
      const won = results.filter((res) => res.statusCode === 200);
      expect(won).toHaveLength(1);
      await expectWinnerRevoked(won[0]!.json<Tokens>());
      expect((await userCall(pair.access_token)).statusCode).toBe(401);
    }
  });

  it('an authorization code presented 20 times at once: one answer with tokens, and none of them stays valid', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const user = await registeredUser(t.services);
      const code = await insertCode(t, { client: app.client, user });
      const results = await Promise.all(Array.from({ length: 20 }, () => token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })));
      const won = results.filter((res) => res.statusCode === 200);
      expect(won).toHaveLength(1);
      await expectWinnerRevoked(won[0]!.json<Tokens>());
    }
  });

  it('a refresh token used once keeps its new pair alive', async () => {
    const pair = await firstPair();
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
    expect(rotated.statusCode).toBe(200);
    expect((await userCall(rotated.json<Tokens>().access_token)).statusCode).toBe(200);
  });
});
