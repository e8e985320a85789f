import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.js';
import { assertAddressAllowed } from './address-policy.js';
import { SafeFetchError } from './safe-fetch-error.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to its addresses; tests inject one that maps names to chosen addresses. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

/**
 * A `lookup` for `net.connect`/`tls.connect` that resolves the name itself and refuses unless
 * every address passes the policy. The socket then connects to an address that was checked,
 * never to a second answer an attacker's DNS server gives a moment later (DNS rebinding).
 * `onRefused` records the refusal, because the connection error may reach the caller wrapped.
 */
export function guardedLookup(
  resolve: HostResolver,
  policy: AddressPolicy,
  onRefused: (error: SafeFetchError) => void,
): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(resolve, hostname, policy).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        const first = wanted[0];
        if (first === undefined) return callback(notFound(hostname), '', 0);
        if (options.all === true) return callback(null, wanted);
        return callback(null, first.address, first.family);
      },
      (error: unknown) => {
        if (error instanceof SafeFetchError) onRefused(error);
        callback(error as NodeJS.ErrnoException, '', 0);
      },
    );
  };
}

async function resolveChecked(resolve: HostResolver, hostname: string, policy: AddressPolicy): Promise<ResolvedAddress[]> {
  const addresses = await resolve(hostname);
  // Every answer must pass, not just the first: the socket may try any of them (happy eyeballs).
  for (const { address } of addresses) assertAddressAllowed(address, policy);
  return addresses;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no usable address for ${hostname}`), { code: 'ENOTFOUND' });
}
