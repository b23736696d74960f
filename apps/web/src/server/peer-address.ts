import { Server, type IncomingMessage } from "node:http";
import { PEER_ADDRESS_HEADER } from "@techscaniq/api/client-address";

/**
 * Route handlers never see the socket, and Next only fills X-Forwarded-For
 * with the peer when the client sent none. So every request the HTTP server
 * receives gets the socket's peer address stamped here, replacing anything a
 * client sent under that name; the API trusts only this (and X-Forwarded-For
 * entries appended by TECHSCANIQ_TRUSTED_PROXIES proxies).
 */
export function stampPeerAddresses(): void {
  const emit = Server.prototype.emit;
  Server.prototype.emit = function emitWithPeerAddress(
    this: Server,
    event: string | symbol,
    ...args: unknown[]
  ) {
    if (event === "request") {
      const request = args[0] as IncomingMessage;
      request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}
