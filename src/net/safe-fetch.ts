import type * as undici from 'undici';
import type { Agent, Dispatcher } from 'undici';
import type { AddressPolicy } from './address-policy.js';
import { assertAddressAllowed } from './address-policy.js';
import { classifyAddress } from './address-class.js';
import type { HostResolver } from './guarded-lookup.js';
import { guardedLookup, systemResolver } from './guarded-lookup.js';
import { SafeFetchError } from './safe-fetch-error.js';

export interface SafeFetchOptions {
  /** Largest body read, in bytes (CIMD draft, "Maximum Response Size": 5 KB). */
  maxBytes?: number;
  /** Limit for the whole exchange, connection to last byte, in milliseconds. */
  timeoutMs?: number;
  /** See {@link AddressPolicy.allowPrivate}: loopback and private networks, `http:` to loopback. */
  allowPrivate?: boolean;
  /** When set, only these host names (compared case-insensitively) are fetched at all. */
  allowedHosts?: readonly string[];
  /** Name resolution; defaults to the system resolver. Tests inject one. */
  lookup?: HostResolver;
  /** Trust anchors for TLS instead of the system's (tests with a self-signed certificate). */
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface SafeFetchResponse {
  status: number;
  /** Response headers, names in lower case, repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The parsed JSON body. */
  body: unknown;
}

export const SAFE_FETCH_DEFAULTS = { maxBytes: 5 * 1024, timeoutMs: 5000 } as const;

/**
 * GETs a small JSON document from a URL a stranger gave us (a client's metadata document),
 * guarded against server-side request forgery: https only, never a special-use address (checked
 * at connect time against the address actually dialled), no redirects, a size limit enforced
 * while reading and one deadline for the whole exchange. Only a 200 answer is a document.
 */
export async function safeFetchJson(url: string, options: SafeFetchOptions = {}): Promise<SafeFetchResponse> {
  const target = checkUrl(url, options);
  const policy: AddressPolicy = { allowPrivate: options.allowPrivate === true, plainHttp: target.protocol === 'http:' };
  const literal = classifyAddress(target.hostname);
  // `net.connect` skips `lookup` for an IP literal, so a literal is checked here instead.
  if (literal !== undefined) assertAddressAllowed(target.hostname.replace(/^\[|\]$/g, ''), policy);
  const refusal: { error?: SafeFetchError } = {};
  // Loaded on the first fetch: a server that never sees a metadata document never pays for undici.
  const { Agent, request } = await import('undici');
  const agent = new Agent({
    connect: {
      lookup: guardedLookup(options.lookup ?? systemResolver, policy, (error) => (refusal.error = error)),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    },
  });
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs ?? SAFE_FETCH_DEFAULTS.timeoutMs);
  try {
    const response = await send(request, target, agent, deadline.signal).catch((error: unknown) => {
      throw refusal.error ?? failure(error, deadline.signal);
    });
    const text = await readBody(response, options.maxBytes ?? SAFE_FETCH_DEFAULTS.maxBytes).catch((error: unknown) => {
      throw failure(error, deadline.signal);
    });
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: parseJson(text) };
  } finally {
    clearTimeout(timer);
    agent.destroy().catch(() => undefined);
  }
}

function checkUrl(url: string, options: SafeFetchOptions): URL {
  if (!URL.canParse(url)) throw new SafeFetchError('invalid_url', 'not an absolute URL');
  const target = new URL(url);
  if (target.username !== '' || target.password !== '') throw new SafeFetchError('invalid_url', 'a URL with user information is refused');
  const plainHttpAllowed = options.allowPrivate === true && target.protocol === 'http:';
  if (target.protocol !== 'https:' && !plainHttpAllowed) throw new SafeFetchError('not_https', `only https URLs are fetched, not ${target.protocol}`);
  const allowed = options.allowedHosts;
  if (allowed !== undefined && !allowed.some((host) => host.toLowerCase() === target.hostname)) {
    throw new SafeFetchError('host_not_allowed', `${target.hostname} is not in the allowed hosts`);
  }
  return target;
}

async function send(request: typeof undici.request, target: URL, dispatcher: Agent, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  const response = await request(target, {
    method: 'GET',
    headers: { accept: 'application/json' },
    dispatcher,
    signal,
  });
  if (response.statusCode === 200) return response;
  discard(response);
  // CIMD draft, "Client Information Discovery": the document is served at exactly its URL with
  // 200 OK and redirects are never followed, so a 3xx is an error like any other status.
  if (response.statusCode >= 300 && response.statusCode < 400) {
    throw new SafeFetchError('redirect', `redirects are not followed (status ${response.statusCode})`, response.statusCode);
  }
  throw new SafeFetchError('http_status', `expected 200, got ${response.statusCode}`, response.statusCode);
}

/** Reads at most `maxBytes`, whatever Content-Length announced, and stops as soon as it is passed. */
async function readBody(response: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) {
    discard(response);
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > maxBytes) {
      discard(response);
      throw tooLarge(maxBytes);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Drops a body we will not read; its abort error has no one else to go to. */
function discard(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

function tooLarge(maxBytes: number): SafeFetchError {
  return new SafeFetchError('too_large', `the document is larger than ${maxBytes} bytes`);
}

function failure(error: unknown, signal: AbortSignal): SafeFetchError {
  if (error instanceof SafeFetchError) return error;
  if (signal.aborted) return new SafeFetchError('timeout', 'the document took too long to arrive', undefined, { cause: error });
  const detail = error instanceof Error ? error.message : String(error);
  return new SafeFetchError('network_error', `the document could not be fetched: ${detail}`, undefined, { cause: error });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SafeFetchError('invalid_json', 'the response is not JSON');
  }
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
