import { storageFromEnv, type ObjectStorage } from "@techscaniq/db/storage";

let storage: ObjectStorage | undefined;

/** Where the worker stores screenshots, artifacts and report exports; one instance per process. */
export function apiStorage(): ObjectStorage {
  storage ??= storageFromEnv();
  return storage;
}
