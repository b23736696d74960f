import { IntegrationError } from "./errors";

/** The answer of a connection test: a real authenticated read, its time, and the provider's reason. */
export interface ConnectionCheck {
  ok: boolean;
  latencyMs: number;
  error: string | null;
}

/** Runs one authenticated read and reports it; an unexpected failure is reported, not thrown. */
export async function checkConnection(read: () => Promise<unknown>): Promise<ConnectionCheck> {
  const started = performance.now();
  try {
    await read();
    return { ok: true, latencyMs: Math.round(performance.now() - started), error: null };
  } catch (error) {
    const message = error instanceof IntegrationError ? error.message : `unexpected: ${String(error)}`;
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: message };
  }
}
