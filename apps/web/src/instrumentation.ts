/** Runs once when the server starts (Next's instrumentation hook). */
export async function register(): Promise<void> {
  // Written out, not read through env.ts: Next replaces it at build time, so the edge bundle drops node:http.
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME === "nodejs") (await import("./server/peer-address")).stampPeerAddresses();
}
