import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import {
  checkPrefix,
  checkRef,
  type Bucket,
  type ObjectRef,
  type ObjectStorage,
  type StoredObjectInfo,
} from "./types";

export interface SupabaseStorageOptions {
  url: string;
  /** Service-role key: the server checks access to the owning row before it touches an object. */
  serviceRoleKey: string;
}

export interface SupabaseObjectStorage extends ObjectStorage {
  /** A time-limited download URL served by Supabase Storage itself. */
  createSignedUrl(ref: ObjectRef, expiresInSeconds: number): Promise<string>;
}

const LIST_PAGE = 1000;

function fail(action: string, ref: string, error: { message: string }): never {
  throw new Error(`Supabase Storage ${action} ${ref} failed: ${error.message}`);
}

/** Objects in Supabase Storage buckets (created, with their policies, by the scans migration). */
export function createSupabaseStorage(options: SupabaseStorageOptions): SupabaseObjectStorage {
  const client: SupabaseClient = createClient(options.url, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const bucketOf = (bucket: Bucket) => client.storage.from(bucket);

  async function download(ref: ObjectRef) {
    const { data, error } = await bucketOf(checkRef(ref).bucket).download(ref.path);
    if (error) {
      // storage-js reports a missing object as a 400/404 StorageUnknownError/StorageApiError.
      const status =
        (error as { status?: number; statusCode?: string }).status ??
        Number((error as { statusCode?: string }).statusCode);
      if (status === 404 || status === 400) return null;
      fail("download of", `${ref.bucket}/${ref.path}`, error);
    }
    return data;
  }

  return {
    kind: "supabase",

    async put(ref, body, { contentType }) {
      const { error } = await bucketOf(checkRef(ref).bucket).upload(ref.path, body, {
        contentType,
        upsert: true,
      });
      if (error) fail("upload to", `${ref.bucket}/${ref.path}`, error);
      const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
      return { bucket: ref.bucket, path: ref.path, size, contentType };
    },

    async get(ref) {
      const blob = await download(ref);
      if (!blob) return null;
      const body = new Uint8Array(await blob.arrayBuffer());
      return { bucket: ref.bucket, path: ref.path, size: body.byteLength, contentType: blob.type, body };
    },

    async stream(ref) {
      const blob = await download(ref);
      if (!blob) return null;
      return {
        bucket: ref.bucket,
        path: ref.path,
        size: blob.size,
        contentType: blob.type,
        stream: blob.stream(),
      };
    },

    async delete(refs) {
      const byBucket = new Map<Bucket, string[]>();
      for (const ref of refs)
        byBucket.set(checkRef(ref).bucket, [...(byBucket.get(ref.bucket) ?? []), ref.path]);
      for (const [bucket, paths] of byBucket) {
        const { error } = await bucketOf(bucket).remove(paths);
        if (error) fail("delete in", bucket, error);
      }
    },

    async list(bucket, prefix) {
      checkPrefix(prefix);
      const found: StoredObjectInfo[] = [];
      // Supabase lists one folder at a time; folders come back without an id.
      async function walk(folder: string): Promise<void> {
        for (let offset = 0; ; offset += LIST_PAGE) {
          const { data, error } = await bucketOf(bucket).list(folder, {
            limit: LIST_PAGE,
            offset,
            sortBy: { column: "name", order: "asc" },
          });
          if (error) fail("list of", `${bucket}/${folder}`, error);
          for (const entry of data) {
            const child = `${folder}/${entry.name}`;
            if (entry.id === null) await walk(child);
            else if (child.startsWith(prefix)) {
              const metadata = (entry.metadata ?? {}) as { size?: number; mimetype?: string };
              found.push({
                bucket,
                path: child,
                size: metadata.size ?? 0,
                contentType: metadata.mimetype ?? "application/octet-stream",
              });
            }
          }
          if (data.length < LIST_PAGE) return;
        }
      }
      await walk(prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : prefix);
      return found.sort((a, b) => a.path.localeCompare(b.path));
    },

    async createSignedUrl(ref, expiresInSeconds) {
      const { data, error } = await bucketOf(checkRef(ref).bucket).createSignedUrl(
        ref.path,
        expiresInSeconds,
      );
      if (error) fail("signing of", `${ref.bucket}/${ref.path}`, error);
      return data.signedUrl;
    },
  };
}
