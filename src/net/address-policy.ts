import type { AddressClass } from './address-class.js';
import { classifyAddress } from './address-class.js';
import { SafeFetchError } from './safe-fetch-error.js';

export interface AddressPolicy {
  /**
   * Lets loopback, private (RFC 1918, RFC 4193) and shared (RFC 6598) addresses through, and
   * plain `http:` to loopback only. For tests and labs (`CIMD_ALLOW_PRIVATE=true`), never
   * production: link-local, metadata, multicast and reserved addresses stay blocked even then.
   */
  allowPrivate: boolean;
  /** True when the URL is `http:`: then every address must be loopback. */
  plainHttp: boolean;
}

/** Classes a lab may reach with `allowPrivate`; cloud metadata and link-local are never among them. */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'cgnat']);

/**
 * Throws unless the server may connect to `address` (an IP literal) under `policy`. Called with
 * every address a host name resolves to, at connect time, so the address checked is the address
 * connected to (no window for DNS rebinding).
 */
export function assertAddressAllowed(address: string, policy: AddressPolicy): void {
  const kind = classifyAddress(address) ?? 'reserved';
  if (policy.plainHttp) {
    if (policy.allowPrivate && kind === 'loopback') return;
    throw new SafeFetchError('not_https', `plain http is only allowed to a loopback address, not ${address} (${kind})`);
  }
  if (kind === 'public' || (policy.allowPrivate && PRIVATE_CLASSES.has(kind))) return;
  throw new SafeFetchError('blocked_address', `refusing to connect to ${address}: ${kind} address`);
}
