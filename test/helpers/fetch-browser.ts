import { CookieJar } from './cookie-jar.js';

/**
 * A browser over real HTTP for one server: a cookie jar, and redirects followed by hand so the
 * one that leaves the server (to a client's callback) is caught instead of followed.
 */
export class FetchBrowser {
  readonly jar = new CookieJar();

  constructor(private readonly base: string) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.jar.header();
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(new URL(url, this.base), { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    this.jar.store(response.headers);
    return response;
  }

  /** Follows same-origin redirects; stops at the first one leaving this server. */
  async follow(response: Response): Promise<{ response: Response; leftTo?: URL }> {
    let current = response;
    for (let hops = 0; hops < 10 && current.status >= 300 && current.status < 400; hops += 1) {
      const target = new URL(current.headers.get('location') ?? '', this.base);
      if (target.origin !== new URL(this.base).origin) return { response: current, leftTo: target };
      await current.body?.cancel();
      current = await this.request(target.href);
    }
    return { response: current };
  }
}
