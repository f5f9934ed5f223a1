import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { callbackHost, isInternalAddress, publicOnlyLookup } from './callback-guard.ts';

/**
 * Customer deliveries never reuse a connection: a pooled keep-alive socket to the same host and port
 * (opened for a staff hub, say) would skip the guarded lookup.
 */
const PUBLIC_ONLY_AGENTS = { 'http:': new HttpAgent({ keepAlive: false }), 'https:': new HttpsAgent({ keepAlive: false }) };

/**
 * POSTs one hub event and resolves with the subscriber's status code. No redirects are followed.
 * With `publicOnly` (a customer's callback), the connection may only go to a public address:
 * a literal internal address is refused, and a host name is resolved by `publicOnlyLookup` on a
 * fresh connection, so the address checked is the address connected to.
 */
export function postEvent(
  url: string,
  { headers, body, timeoutMs, publicOnly }: { headers: Record<string, string>; body: string; timeoutMs: number; publicOnly: boolean },
): Promise<number> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined;
    // One deadline for the whole exchange (a subscriber that drips its answer cannot hold a slot).
    const deadline = setTimeout(() => req?.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const settle =
      <T>(fn: (value: T) => void) =>
      (value: T) => {
        clearTimeout(deadline);
        fn(value);
      };
    try {
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`${target.protocol} callbacks are not delivered`);
      const host = callbackHost(target);
      if (publicOnly && isIP(host) && isInternalAddress(host)) throw new Error(`${host} is an internal address; not delivered`);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      req = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          ...(publicOnly ? { lookup: publicOnlyLookup, agent: PUBLIC_ONLY_AGENTS[target.protocol] } : {}),
        },
        (res) => {
          res.resume();
          res.on('end', () => settle(resolve)(res.statusCode ?? 0));
          res.on('error', settle(reject));
        },
      );
      req.on('error', settle(reject));
      req.end(body);
    } catch (e) {
      settle(reject)(e);
    }
  });
}
