import { z } from "zod";

/** The buckets of the product; each object path starts with the owning tenant's id. */
export const BUCKETS = ["reports", "screenshots", "artifacts"] as const;
export type Bucket = (typeof BUCKETS)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** One path segment: letters, digits and `._-`, not only dots (no `.`/`..` tricks). */
const SEGMENT = /^(?!\.+$)[A-Za-z0-9._-]{1,200}$/;

export const objectPathSchema = z
  .string()
  .max(1024, "object path is longer than 1024 characters")
  .refine(
    (path) => UUID.test(path.split("/")[0] ?? ""),
    "object path must start with the owning tenant's id (<tenant uuid>/…)",
  )
  .refine((path) => path.split("/").length >= 2, "object path needs a name after the tenant id")
  .refine(
    (path) => path.split("/").every((segment) => SEGMENT.test(segment)),
    "object path segments may only hold letters, digits, '.', '_' and '-' (no empty, '.' or '..' segments)",
  );

export const objectRefSchema = z.object({
  bucket: z.enum(BUCKETS),
  path: objectPathSchema,
});

/** Where an object lives: bucket plus `<tenant id>/…` path. */
export type ObjectRef = z.infer<typeof objectRefSchema>;

export interface StoredObjectInfo {
  bucket: Bucket;
  path: string;
  size: number;
  contentType: string;
}

export interface StoredObject extends StoredObjectInfo {
  body: Uint8Array;
}

export interface ObjectStream extends StoredObjectInfo {
  stream: ReadableStream<Uint8Array>;
}

/**
 * Object storage with tenant-prefixed paths. Callers check access to the
 * owning row (through RLS) before touching its objects; adapters enforce
 * the path shape so one tenant's prefix never reaches another's.
 */
export interface ObjectStorage {
  readonly kind: "local" | "supabase";
  /** Creates or replaces the object. */
  put(ref: ObjectRef, body: Uint8Array | string, options: { contentType: string }): Promise<StoredObjectInfo>;
  /** The whole object, or null when it does not exist. */
  get(ref: ObjectRef): Promise<StoredObject | null>;
  /** The object as a stream (for downloads), or null when it does not exist. */
  stream(ref: ObjectRef): Promise<ObjectStream | null>;
  /** Removes the objects; missing ones are ignored. */
  delete(refs: readonly ObjectRef[]): Promise<void>;
  /** Every object whose path starts with `prefix` (which must start with a tenant id), sorted by path. */
  list(bucket: Bucket, prefix: string): Promise<StoredObjectInfo[]>;
}

/** Throws a clear error when a ref is malformed; returns it typed. */
export function checkRef(ref: ObjectRef): ObjectRef {
  const parsed = objectRefSchema.safeParse(ref);
  if (!parsed.success) {
    throw new Error(
      `Invalid storage object ${ref.bucket}/${ref.path}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`,
    );
  }
  return parsed.data;
}

/** A list prefix must at least name the tenant, so listing never crosses tenants. */
export function checkPrefix(prefix: string): string {
  const tenant = prefix.split("/")[0] ?? "";
  if (!UUID.test(tenant) || prefix.includes("..") || prefix.startsWith("/")) {
    throw new Error(
      `Invalid storage prefix "${prefix}": it must start with the owning tenant's id (<tenant uuid>/…)`,
    );
  }
  return prefix;
}

/** Path of a scan's object: `<tenant>/scans/<scan>/<name>`. */
export function scanObjectPath(tenantId: string, scanId: string, name: string): string {
  return `${tenantId}/scans/${scanId}/${name}`;
}
