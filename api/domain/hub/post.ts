import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isInternalAddress, publicOnlyLookup } from './callback-guard.ts';

/**
 * POSTs one hub event and resolves with the subscriber's status code. No redirects are followed.
 * With `publicOnly` (a customer's callback), the connection may only go to a public address:
 * a literal internal address is refused, and a host name is resolved by `publicOnlyLookup`, so the
 * address checked is the address connected to.
 */
export function postEvent(
  url: string,
  { headers, body, timeoutMs, publicOnly }: { headers: Record<string, string>; body: string; timeoutMs: number; publicOnly: boolean },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (publicOnly && isIP(host) && isInternalAddress(host)) {
      reject(new Error(`${host} is an internal address; not delivered`));
      return;
    }
    // One deadline for the whole exchange (a subscriber that drips its answer cannot hold a slot).
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const settle =
      <T>(fn: (value: T) => void) =>
      (value: T) => {
        clearTimeout(deadline);
        fn(value);
      };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(publicOnly ? { lookup: publicOnlyLookup } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => settle(resolve)(res.statusCode ?? 0));
        res.on('error', settle(reject));
      },
    );
    req.on('error', settle(reject));
    req.end(body);
  });
}
