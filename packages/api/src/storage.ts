import { createObjectStorage, type ObjectStorage } from "@techscaniq/db/storage";
import { loadApiEnv } from "./env";

let storage: ObjectStorage | undefined;

/**
 * Where the worker stores screenshots, artifacts and report exports:
 * Supabase Storage when configured, else the local data directory.
 * One instance per process.
 */
export function apiStorage(): ObjectStorage {
  if (!storage) {
    const env = loadApiEnv();
    storage = createObjectStorage({
      dataDir: env.TECHSCANIQ_DATA_DIR,
      supabase:
        env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY
          ? { url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY }
          : undefined,
    });
  }
  return storage;
}
