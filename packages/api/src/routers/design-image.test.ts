import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "@techscaniq/db";
import { createLocalStorage } from "@techscaniq/db/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed } from "../testing";

// The API's storage is the local adapter under this data dir (read by its env when the bed starts).
const dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-design-image-"));
process.env.TECHSCANIQ_DATA_DIR = dataDir;
const storage = createLocalStorage(path.join(dataDir, "storage"));

let bed: ApiTestBed;
let withVision: ReturnType<ApiTestBed["client"]>;
let withoutVision: ReturnType<ApiTestBed["client"]>;
let visionTenant: string;

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(32, 1),
]);

beforeAll(async () => {
  bed = await startApiTestBed();
  const owner = await bed.signedInUser();
  const tenant = await bed
    .client({ accessToken: owner.accessToken })
    .tenant.create.mutate({ slug: "vision-a", name: "A" });
  visionTenant = tenant.id;
  withVision = bed.client({ accessToken: owner.accessToken, tenantId: tenant.id });
  await withVision.aiSettings.update.mutate({
    providers: { openai: { apiKey: "sk-test-vision-0000", model: "gpt-4o" } },
  });
  const other = await bed.signedInUser();
  const plain = await bed
    .client({ accessToken: other.accessToken })
    .tenant.create.mutate({ slug: "vision-b", name: "B" });
  withoutVision = bed.client({ accessToken: other.accessToken, tenantId: plain.id });
}, 120_000);

afterAll(async () => {
  await bed?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const sessionCount = async () =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from public.design_sessions`.execute(
        bed.database.db.kysely,
      )
    ).rows[0]!.n,
  );

const imageJobCount = async () =>
  Number(
    (
      await sql<{ n: string }>`
        select count(*) as n from graphile_worker.jobs
         where task_identifier = 'design.analyze_image'`.execute(bed.database.db.kysely)
    ).rows[0]!.n,
  );

describe("agents: design.analyzeImage through a vision-capable model", () => {
  it("with an OpenAI key, stores the diagram under the tenant's prefix and queues its analysis", async () => {
    const answer = await withVision.design.analyzeImage.mutate({
      fileName: "process.png",
      contentBase64: PNG.toString("base64"),
    });
    expect(answer).toMatchObject({ analyzed: false, mediaType: "image/png", bytes: PNG.length });
    expect(answer.message).toMatch(/^Analysing the diagram/);
    const sessionId = answer.sessionId;
    const session = await withVision.design.get.query({ sessionId });
    expect(session).toMatchObject({
      source: "image",
      sourceName: "process.png",
      title: "process.png",
      image: { status: "analysing", error: null },
      analysis: { capabilities: [], agents: [] },
    });
    const stored = await storage.get({
      bucket: "artifacts",
      path: `${visionTenant}/design/${sessionId}.png`,
    });
    expect(Buffer.from(stored!.body)).toEqual(PNG);
    expect(stored!.contentType).toBe("image/png");
    const { rows: jobs } = await sql<{ task_identifier: string }>`
      select task_identifier from graphile_worker.jobs where key = ${`design_image:${sessionId}`}`.execute(
      bed.database.db.kysely,
    );
    expect(jobs).toEqual([{ task_identifier: "design.analyze_image" }]);
    // Another tenant cannot see the session.
    await expectTrpcError(withoutVision.design.get.query({ sessionId }), "NOT_FOUND");
  });

  it("refuses a bad image (wrong magic bytes, over 10 MB) with a clear error, storing nothing", async () => {
    const before = await sessionCount();
    const jobsBefore = await imageJobCount();
    const objectsBefore = await storage.list("artifacts", `${visionTenant}/design`);
    await expectTrpcError(
      withVision.design.analyzeImage.mutate({
        fileName: "evil.png",
        contentBase64: Buffer.from("<svg onload=alert(1)>").toString("base64"),
      }),
      "BAD_REQUEST",
      "contentBase64: evil.png is not a PNG, JPEG or WebP image",
    );
    await expectTrpcError(
      withVision.design.analyzeImage.mutate({
        fileName: "huge.png",
        contentBase64: Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]).toString("base64"),
      }),
      "BAD_REQUEST",
      "the image is larger than 10 MB",
    );
    expect(await sessionCount()).toBe(before);
    expect(await storage.list("artifacts", `${visionTenant}/design`)).toEqual(objectsBefore);
    // A refused image queues nothing.
    expect(await imageJobCount()).toBe(jobsBefore);
  });
});

describe("agents: diagram analysis with a worker-only deployment key", () => {
  it("a workspace without any AI key still gets its diagram stored and queued for the worker", async () => {
    // Only the worker knows its own deployment key (OPENAI_API_KEY…): it decides, not the API.
    const jobsBefore = await imageJobCount();
    const answer = await withoutVision.design.analyzeImage.mutate({
      fileName: "process.png",
      contentBase64: PNG.toString("base64"),
    });
    expect(answer).toMatchObject({ analyzed: false, mediaType: "image/png", bytes: PNG.length });
    expect(answer.message).toMatch(/^Analysing the diagram/);
    const session = await withoutVision.design.get.query({ sessionId: answer.sessionId });
    expect(session).toMatchObject({ source: "image", image: { status: "analysing", error: null } });
    expect(await imageJobCount()).toBe(jobsBefore + 1);
    const { rows: jobs } = await sql<{ task_identifier: string }>`
      select task_identifier from graphile_worker.jobs
       where key = ${`design_image:${answer.sessionId}`}`.execute(bed.database.db.kysely);
    expect(jobs).toEqual([{ task_identifier: "design.analyze_image" }]);
  });
});
