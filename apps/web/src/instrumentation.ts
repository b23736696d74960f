import { isNodeServerRuntime } from "./env";

/** Runs once when the server starts (Next's instrumentation hook). */
export async function register(): Promise<void> {
  if (isNodeServerRuntime()) (await import("./server/peer-address")).stampPeerAddresses();
}
