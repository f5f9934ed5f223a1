import { lookup as lookupCallback, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ApiError } from '../../errors.ts';

/** Addresses a customer's callback must not reach: the operator's own hosts and networks (SSRF). */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  // NAT64: a gateway would translate it to any IPv4 address, internal ones included
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** A callback URL's host as an address or name (an IPv6 literal without its brackets). */
export const callbackHost = (url: string | URL) => new URL(url).hostname.replace(/^\[|\]$/g, '');

export function isInternalAddress(address: string): boolean {
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is its IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isInternalAddress(mapped);
  // …also as URLs normalise it: ::ffff:7f00:1
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return isInternalAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const family = isIP(address);
  if (family === 0) return false;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const refused = (detail: string) =>
  new ApiError(400, 'CALLBACK_NOT_ALLOWED', 'Callback not allowed', detail, [
    { pointer: '/callback', in: 'body', message: 'must be a public address' },
  ]);

/**
 * A customer's hub may not call back into the operator's network: loopback, private, link-local
 * and shared ranges are refused, by literal address or by what the host name resolves to now.
 * A name that does not resolve is accepted (deliveries retry until it does). Staff integrations
 * (an operator's CRM on the internal network) are not limited.
 */
export async function assertPublicCallback(callback: string): Promise<void> {
  const host = callbackHost(callback);
  if (host === 'localhost' || host.endsWith('.localhost')) throw refused(`${host} is this server.`);
  if (isIP(host)) {
    if (isInternalAddress(host)) throw refused(`${host} is an internal address.`);
    return;
  }
  const addresses = await lookup(host, { all: true }).catch(() => []);
  const internal = addresses.find((a) => isInternalAddress(a.address));
  if (internal) throw refused(`${host} resolves to the internal address ${internal.address}.`);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for the socket that delivers to a customer's callback (`http.request`'s `lookup`
 * option): it refuses a name that now resolves to an internal address. The check at registration
 * alone is not enough, since a name can be re-pointed afterwards (DNS rebinding); the socket
 * connects to exactly the address checked here.
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookupCallback(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const internal = addresses.find((a) => isInternalAddress(a.address));
    if (internal) {
      const refusal: NodeJS.ErrnoException = new Error(`${hostname} resolves to the internal address ${internal.address}; not delivered`);
      refusal.code = 'CALLBACK_NOT_ALLOWED';
      return callback(refusal, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}
