import type { App } from '../../src/http/app.js';

/** A parsed Set-Cookie line, with the attributes tests assert on. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const [key = '', ...value] = part.trim().split('=');
    if (key) attributes[key.toLowerCase()] = value.length > 0 ? value.join('=') : true;
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

function setCookieLines(headers: Record<string, unknown> | Headers): string[] {
  if (headers instanceof Headers) return headers.getSetCookie();
  const value = headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * The cookies a browser would hold for one origin: stores Set-Cookie from responses (inject or
 * fetch), drops expired ones, and sends them back as a Cookie header.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  /** Every Set-Cookie of the last response, by name. */
  last = new Map<string, SetCookie>();

  store(headers: Record<string, unknown> | Headers): void {
    this.last = new Map();
    for (const line of setCookieLines(headers)) {
      const cookie = parseSetCookie(line);
      this.last.set(cookie.name, cookie);
      const expires = cookie.attributes.expires;
      const expired =
        cookie.attributes['max-age'] === '0' || (typeof expires === 'string' && new Date(expires).getTime() <= Date.now()) || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface BrowserRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
}

/** `app.inject()` with a cookie jar: what a browser (or a cookie-jar test client) does. */
export class InjectBrowser {
  readonly jar = new CookieJar();

  constructor(
    private readonly app: App,
    private readonly defaults: Record<string, string> = { accept: 'text/html,application/xhtml+xml' },
  ) {}

  async request(options: BrowserRequest) {
    const headers: Record<string, string> = { ...this.defaults, ...options.headers };
    const cookie = this.jar.header();
    if (cookie) headers.cookie = cookie;
    let payload: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    }
    const response = await this.app.inject({ method: options.method ?? 'GET', url: options.url, headers, ...(payload !== undefined ? { payload } : {}) });
    this.jar.store(response.headers as Record<string, unknown>);
    return response;
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request({ url, ...(headers ? { headers } : {}) });
  }

  post(url: string, form: Record<string, string>, headers?: Record<string, string>) {
    return this.request({ method: 'POST', url, form, ...(headers ? { headers } : {}) });
  }
}

/** The value of a hidden (or any) input in a page. */
export function inputValue(page: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(page)?.[0];
  const value = tag && /value="([^"]*)"/.exec(tag)?.[1];
  return value?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Logs in through the login page, as a browser would. Returns the login response. */
export async function loginThroughForm(browser: InjectBrowser, email: string, password: string) {
  const page = await browser.get('/login');
  const token = inputValue(page.body, '_token');
  if (!token) throw new Error(`no _token on the login page (status ${page.statusCode})`);
  return browser.post('/login', { _token: token, email, password });
}
