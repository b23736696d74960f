import { createDb, type Db } from "@techscaniq/db";
import { webEnvFromProcess } from "../env";

// One pool per process: Next may evaluate this module in several bundles (proxy, routes), globalThis is shared.
const holder = globalThis as typeof globalThis & { __techscaniqWebDb?: Db };

export function sharedDb(): Db {
  holder.__techscaniqWebDb ??= createDb(webEnvFromProcess().DATABASE_URL);
  return holder.__techscaniqWebDb;
}
