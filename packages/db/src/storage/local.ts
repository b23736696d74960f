import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import {
  checkPrefix,
  checkRef,
  type Bucket,
  type ObjectRef,
  type ObjectStorage,
  type ObjectStream,
  type StoredObject,
  type StoredObjectInfo,
} from "./types";

/** Content type is kept next to each object, since a file system has no metadata for it. */
const META_SUFFIX = ".meta.json";

interface ObjectMeta {
  contentType: string;
}

/**
 * Objects as files under `<root>/<bucket>/<tenant id>/…`. Writes go to a
 * temporary file first and are renamed into place, so a reader never sees
 * half an object.
 */
export function createLocalStorage(root: string): ObjectStorage {
  const fileOf = (ref: ObjectRef) => path.join(root, ref.bucket, ...checkRef(ref).path.split("/"));

  async function info(ref: ObjectRef): Promise<StoredObjectInfo | null> {
    const file = fileOf(ref);
    try {
      const [stats, meta] = await Promise.all([stat(file), readFile(file + META_SUFFIX, "utf8")]);
      return {
        bucket: ref.bucket,
        path: ref.path,
        size: stats.size,
        contentType: (JSON.parse(meta) as ObjectMeta).contentType,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  return {
    kind: "local",

    async put(ref, body, { contentType }) {
      const file = fileOf(ref);
      await mkdir(path.dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, body);
      const meta: ObjectMeta = { contentType };
      await writeFile(file + META_SUFFIX, JSON.stringify(meta));
      await rename(temporary, file);
      const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
      return { bucket: ref.bucket, path: ref.path, size, contentType };
    },

    async get(ref): Promise<StoredObject | null> {
      const found = await info(ref);
      if (!found) return null;
      return { ...found, body: new Uint8Array(await readFile(fileOf(ref))) };
    },

    async stream(ref): Promise<ObjectStream | null> {
      const found = await info(ref);
      if (!found) return null;
      return {
        ...found,
        stream: Readable.toWeb(createReadStream(fileOf(ref))) as ReadableStream<Uint8Array>,
      };
    },

    async delete(refs) {
      for (const ref of refs) {
        const file = fileOf(ref);
        await rm(file, { force: true });
        await rm(file + META_SUFFIX, { force: true });
      }
    },

    async list(bucket: Bucket, prefix: string) {
      checkPrefix(prefix);
      const bucketDir = path.join(root, bucket);
      // Walk the deepest whole folder named by the prefix, then filter by the full prefix.
      const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : prefix;
      const found: StoredObjectInfo[] = [];
      async function walk(relative: string): Promise<void> {
        let entries;
        try {
          entries = await readdir(path.join(bucketDir, ...relative.split("/")), { withFileTypes: true });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
          throw error;
        }
        for (const entry of entries) {
          const child = `${relative}/${entry.name}`;
          if (entry.isDirectory()) await walk(child);
          else if (
            !entry.name.endsWith(META_SUFFIX) &&
            !entry.name.endsWith(".tmp") &&
            child.startsWith(prefix)
          ) {
            const object = await info({ bucket, path: child });
            if (object) found.push(object);
          }
        }
      }
      await walk(folder);
      return found.sort((a, b) => a.path.localeCompare(b.path));
    },
  };
}
