// Flows that autocannon cannot drive: N workers, each running one flow after another for the
// duration, with undici (keep-alive, one connection per worker). Used by load.mjs for:
//   code-flow  the authorization-code flow as a browser does it, one new cookie jar per flow:
//              GET /oauth/authorize (PKCE S256, prompt=consent) → 302 to /login → GET /login
//              (CSRF token) → POST /login → 302 back → GET /oauth/authorize (consent page) →
//              POST /oauth/authorize (approve) → 303 to the callback with the code → POST
//              /oauth/token (authorization_code, Basic, code_verifier) → 200 with a JWT
//   refresh    each worker gets a refresh token once (password grant, not measured) and then
//              redeems it in a loop (grant_type=refresh_token, Basic), keeping the new one
// The summary counts a flow (code-flow) or a refresh (refresh) as one "request": requests/s
// is flows/s, and the latencies are those of whole flows.
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { URLSearchParams } from 'node:url';
import { Agent, request } from 'undici';

class FlowError extends Error {}

function basic(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** The value of a hidden input of an HTML page. */
function inputValue(html, name) {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match) throw new FlowError(`no input "${name}" in the page`);
  return match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

class Browser {
  cookies = new Map();

  constructor(base, dispatcher) {
    this.base = base;
    this.dispatcher = dispatcher;
  }

  async send(method, path, { form, headers = {} } = {}) {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await request(new URL(path, this.base), {
      method,
      dispatcher: this.dispatcher,
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const setCookie = response.headers['set-cookie'];
    for (const line of setCookie === undefined ? [] : [setCookie].flat()) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.body.text();
    return { status: response.statusCode, location: response.headers.location, text };
  }
}

function expectStatus(step, got, ...wanted) {
  if (!wanted.includes(got.status)) throw new FlowError(`${step}: ${got.status} ${got.text.slice(0, 160).replace(/\s+/g, ' ')}`);
}

/** One authorization-code flow with PKCE; throws FlowError at the first unexpected answer. */
async function codeFlow(options, dispatcher, user) {
  const browser = new Browser(options.base, dispatcher);
  const { flowClient } = options;
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const query = new URLSearchParams({
    client_id: flowClient.id,
    redirect_uri: flowClient.redirectUri,
    response_type: 'code',
    scope: '',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    // Always show the consent screen, even to a user who approved this client before.
    prompt: 'consent',
  });
  const start = await browser.send('GET', `/oauth/authorize?${query}`);
  expectStatus('GET /oauth/authorize (logged out)', start, 302);
  const loginPage = await browser.send('GET', start.location);
  expectStatus('GET /login', loginPage, 200);
  const login = await browser.send('POST', '/login', { form: { _token: inputValue(loginPage.text, '_token'), email: user.email, password: user.password } });
  expectStatus('POST /login', login, 302);
  if (!login.location?.includes('/oauth/authorize')) throw new FlowError(`POST /login sent to ${login.location}, not back to /oauth/authorize`);
  const consent = await browser.send('GET', login.location);
  expectStatus('GET /oauth/authorize (consent)', consent, 200);
  const fields = Object.fromEntries(['_token', 'state', 'client_id', 'auth_token'].map((name) => [name, inputValue(consent.text, name)]));
  const approved = await browser.send('POST', '/oauth/authorize', { form: fields });
  expectStatus('POST /oauth/authorize (approve)', approved, 302, 303);
  const callback = new URL(approved.location ?? '', options.base);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) throw new FlowError(`approval redirected to ${approved.location}, without the code and state`);
  const token = await browser.send('POST', options.tokenPath, {
    form: { grant_type: 'authorization_code', code, redirect_uri: flowClient.redirectUri, code_verifier: verifier },
    headers: { authorization: basic(flowClient.id, flowClient.secret), accept: 'application/json' },
  });
  expectStatus('POST /oauth/token (authorization_code)', token, 200);
  if (!JSON.parse(token.text).access_token) throw new FlowError('the code exchange gave no access_token');
}

async function tokenRequest(options, dispatcher, form) {
  const { flowClient } = options;
  const response = await request(new URL(options.tokenPath, options.base), {
    method: 'POST',
    dispatcher,
    headers: { authorization: basic(flowClient.id, flowClient.secret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new FlowError(`POST ${options.tokenPath} grant_type=${form.grant_type}: ${response.statusCode} ${text.slice(0, 160)}`);
  const body = JSON.parse(text);
  if (!body.access_token || !body.refresh_token) throw new FlowError(`grant_type=${form.grant_type} gave no access_token and refresh_token: ${text.slice(0, 160)}`);
  return body.refresh_token;
}

const firstRefreshToken = (options, dispatcher, user) =>
  tokenRequest(options, dispatcher, { grant_type: 'password', username: user.email, password: user.password, scope: '' });

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function runFlows(options) {
  const workers = options.workers;
  const dispatcher = new Agent({ connections: workers, keepAliveTimeout: 10_000 });
  const latencies = [];
  const errorSamples = [];
  let errors = 0;
  const fail = (error) => {
    errors++;
    if (!(error instanceof FlowError)) error = new FlowError(`${error?.code ?? ''} ${error?.message ?? error}`.trim());
    if (errorSamples.length < 5) errorSamples.push(error.message);
  };
  const userOf = (i) => options.users[i % options.users.length];

  // Refresh: every worker's first token, before the clock starts.
  const refreshTokens = options.kind === 'refresh' ? await Promise.all(Array.from({ length: workers }, (_, i) => firstRefreshToken(options, dispatcher, userOf(i)))) : [];

  const started = performance.now();
  const deadline = started + options.duration * 1000;
  const worker = async (i) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        if (options.kind === 'code-flow') await codeFlow(options, dispatcher, userOf(i));
        else refreshTokens[i] = await tokenRequest(options, dispatcher, { grant_type: 'refresh_token', refresh_token: refreshTokens[i] });
        latencies.push(performance.now() - t0);
      } catch (error) {
        fail(error);
        // A refresh that failed may have cost the worker its token: start again from a new one.
        if (options.kind === 'refresh') refreshTokens[i] = await firstRefreshToken(options, dispatcher, userOf(i)).catch(() => refreshTokens[i]);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  const elapsed = (performance.now() - started) / 1000;
  await dispatcher.close();
  const sorted = latencies.sort((a, b) => a - b);
  const round = (value) => Math.round(value * 10) / 10;
  return {
    requestsPerSecond: latencies.length / elapsed,
    requests: latencies.length + errors,
    unit: options.kind === 'code-flow' ? 'flows' : 'refreshes',
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
      mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
      max: round(sorted.at(-1) ?? 0),
    },
    ok: latencies.length,
    errors,
    errorDetail: { failedFlows: errors, samples: errorSamples },
    durationSeconds: round(elapsed),
    connections: workers,
  };
}
