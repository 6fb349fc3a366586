import { RtmpUrl } from '../client/rtmp-url';

/**
 * Hosts a relay may follow an E-RTMP ReconnectRequest to, besides the one it was started with:
 * host names or addresses (no port, no brackets, no wildcards; compared case-insensitively), or
 * a predicate on the host as the request names it.
 */
export type ReconnectRequestHosts = readonly string[] | ((host: string) => boolean);

/**
 * Why a relay must not follow a ReconnectRequest from `current` to `target`, or undefined when
 * it may. A request comes from the destination, and the relay carries the stream key: followed
 * blindly, one answer from a compromised or spoofed server sends the key to any host, or in
 * clear text. So a request may not leave TLS, and may only name the host the relay was started
 * with (`origin`) or one the application allows.
 */
export function reconnectRefusal(
  origin: RtmpUrl,
  current: RtmpUrl,
  target: RtmpUrl,
  allowed: ReconnectRequestHosts = [],
): string | undefined {
  if (current.secure && !target.secure) return 'it would leave TLS (rtmps:// to rtmp://)';
  if (sameHost(target.host, origin.host) || isAllowed(target.host, allowed)) return undefined;
  return 'another host, not in reconnectRequestHosts';
}

function isAllowed(host: string, allowed: ReconnectRequestHosts): boolean {
  if (typeof allowed !== 'function') return allowed.some((entry) => sameHost(host, entry));
  try {
    return allowed(host) === true;
  } catch {
    return false; // a predicate that fails allows nothing
  }
}

function sameHost(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
