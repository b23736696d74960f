import { isIP } from "node:net";

/**
 * The address of the TCP peer, stamped on every request by the HTTP server
 * in front of the API (apps/web's instrumentation, the test server), which
 * overwrites anything a client sent under this name.
 */
export const PEER_ADDRESS_HEADER = "x-techscaniq-peer-address";

/**
 * The client's address for throttling and session records. With no trusted
 * proxy it is the socket's peer: `X-Forwarded-For` is whatever the client
 * wrote. Behind `trustedProxies` proxies that each append the address they
 * saw, it is the entry that many places from the end (what the outermost
 * trusted proxy saw); entries further left are the client's own claims.
 */
export function clientAddressFrom(headers: Headers, trustedProxies: number): string | null {
  const peer = headers.get(PEER_ADDRESS_HEADER)?.trim() ?? "";
  if (trustedProxies > 0) {
    const forwarded = (headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const seenByOutermostProxy = forwarded[forwarded.length - trustedProxies];
    if (seenByOutermostProxy && isIP(seenByOutermostProxy)) return seenByOutermostProxy;
  }
  return isIP(peer) ? peer : null;
}
