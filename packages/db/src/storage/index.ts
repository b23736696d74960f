import path from "node:path";
import { createLocalStorage } from "./local";
import { createSupabaseStorage, type SupabaseStorageOptions } from "./supabase";
import type { ObjectStorage } from "./types";
import type { DbEnv } from "../env";

export * from "./types";
export { createLocalStorage } from "./local";
export { createSupabaseStorage, type SupabaseObjectStorage, type SupabaseStorageOptions } from "./supabase";

export interface ObjectStorageConfig {
  /** TECHSCANIQ_DATA_DIR: local objects live in `<dataDir>/storage`. */
  dataDir: string;
  /** When given (SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY), Supabase Storage is used instead. */
  supabase?: SupabaseStorageOptions | undefined;
}

/** Supabase Storage when configured, otherwise files under the data directory. */
export function createObjectStorage(config: ObjectStorageConfig): ObjectStorage {
  if (config.supabase) return createSupabaseStorage(config.supabase);
  return createLocalStorage(path.join(config.dataDir, "storage"));
}

/** The deployment's storage, as web and workers must agree on it: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY, else TECHSCANIQ_DATA_DIR. */
export function storageFromEnv(env: DbEnv): ObjectStorage {
  return createObjectStorage({
    dataDir: env.TECHSCANIQ_DATA_DIR,
    supabase:
      env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY
        ? { url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY }
        : undefined,
  });
}
