import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalStorage } from "./local";
import { scanObjectPath, type ObjectStorage } from "./types";

const TENANT_A = "6f1c1d52-34b5-4f5e-9f0a-0a9d3e7c1a01";
const TENANT_B = "9a7b3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d";
const SCAN = "0b8e4f6a-2c1d-4e3f-9a8b-7c6d5e4f3a2b";

let root: string;
let storage: ObjectStorage;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "tsiq-storage-"));
  storage = createLocalStorage(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("local object storage", () => {
  it("stores, reads, streams, lists and deletes tenant-prefixed objects", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const shot = { bucket: "screenshots", path: scanObjectPath(TENANT_A, SCAN, "page-1.png") } as const;
    const info = await storage.put(shot, png, { contentType: "image/png" });
    expect(info).toEqual({ bucket: "screenshots", path: shot.path, size: 7, contentType: "image/png" });

    const read = await storage.get(shot);
    expect(read?.contentType).toBe("image/png");
    expect([...read!.body]).toEqual([...png]);

    const report = { bucket: "reports", path: `${TENANT_A}/r1/report.md` } as const;
    await storage.put(report, "# Report\n", { contentType: "text/markdown" });
    const streamed = await storage.stream(report);
    expect(streamed?.size).toBe(9);
    expect(await readAll(streamed!.stream)).toBe("# Report\n");

    await storage.put({ bucket: "screenshots", path: scanObjectPath(TENANT_A, SCAN, "page-2.png") }, png, {
      contentType: "image/png",
    });
    await storage.put({ bucket: "screenshots", path: scanObjectPath(TENANT_B, SCAN, "page-1.png") }, png, {
      contentType: "image/png",
    });

    const listed = await storage.list("screenshots", `${TENANT_A}/scans/${SCAN}/`);
    expect(listed.map((object) => object.path)).toEqual([
      scanObjectPath(TENANT_A, SCAN, "page-1.png"),
      scanObjectPath(TENANT_A, SCAN, "page-2.png"),
    ]);
    expect(
      (await storage.list("screenshots", `${TENANT_A}/scans/${SCAN}/page-2`)).map((object) => object.path),
    ).toEqual([scanObjectPath(TENANT_A, SCAN, "page-2.png")]);

    await storage.delete(listed);
    expect(await storage.get(shot)).toBeNull();
    expect(await storage.list("screenshots", `${TENANT_A}/`)).toEqual([]);
    // Tenant B's object is untouched.
    expect(
      await storage.get({ bucket: "screenshots", path: scanObjectPath(TENANT_B, SCAN, "page-1.png") }),
    ).not.toBeNull();
  });

  it("replaces an object on a second put and leaves no temporary files", async () => {
    const ref = { bucket: "artifacts", path: `${TENANT_A}/raw/crawl.json` } as const;
    await storage.put(ref, '{"v":1}', { contentType: "application/json" });
    await storage.put(ref, '{"v":2}', { contentType: "application/json" });
    expect(new TextDecoder().decode((await storage.get(ref))!.body)).toBe('{"v":2}');
    expect((await readdir(path.join(root, "artifacts", TENANT_A, "raw"))).sort()).toEqual([
      "crawl.json",
      "crawl.json.meta.json",
    ]);
  });

  it("returns null for missing objects and ignores deleting them", async () => {
    const ref = { bucket: "reports", path: `${TENANT_A}/missing.md` } as const;
    expect(await storage.get(ref)).toBeNull();
    expect(await storage.stream(ref)).toBeNull();
    await expect(storage.delete([ref])).resolves.toBeUndefined();
  });

  it.each([
    ["no tenant prefix", "scans/x.png", "must start with the owning tenant's id"],
    ["parent segment", `${TENANT_A}/../${TENANT_B}/x.png`, "no empty, '.' or '..' segments"],
    ["absolute path", `/${TENANT_A}/x.png`, "must start with the owning tenant's id"],
    ["empty segment", `${TENANT_A}//x.png`, "no empty, '.' or '..' segments"],
    ["tenant only", TENANT_A, "needs a name after the tenant id"],
    ["backslash", `${TENANT_A}/a\\..\\b.png`, "may only hold letters"],
  ])("refuses a malformed path (%s) before touching the disk", async (_case, badPath, message) => {
    await expect(
      storage.put({ bucket: "screenshots", path: badPath }, "x", { contentType: "text/plain" }),
    ).rejects.toThrow(message);
    await expect(storage.get({ bucket: "screenshots", path: badPath })).rejects.toThrow(message);
    expect(await readdir(root)).toEqual([]);
  });

  it("refuses a list prefix that does not name a tenant", async () => {
    await expect(storage.list("screenshots", "")).rejects.toThrow("must start with the owning tenant's id");
    await expect(storage.list("screenshots", `${TENANT_A}/../`)).rejects.toThrow(
      "must start with the owning tenant's id",
    );
  });

  it("refuses an unknown bucket", async () => {
    await expect(
      storage.put({ bucket: "public" as "reports", path: `${TENANT_A}/x.txt` }, "x", {
        contentType: "text/plain",
      }),
    ).rejects.toThrow("Invalid storage object public/");
  });
});
