import { createTestTenant } from "@techscaniq/db/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { createTechScanClient } from "../client";
import { startApiTestBed, type ApiTestBed } from "../testing";

let bed: ApiTestBed;
beforeAll(async () => {
  // A short re-check interval so the test need not wait the production 30 s.
  bed = await startApiTestBed({ authRecheckMs: 200 });
});
afterAll(() => bed.close());

/** Opens a tenant-wide progress stream (it never ends by itself) and resolves with how it ended. */
function streamEnding(client: ReturnType<typeof createTechScanClient>): {
  ended: Promise<unknown>;
  opened: Promise<void>;
} {
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  const ended = new Promise<unknown>((resolve) => {
    const subscription = client.scan.progress.subscribe(
      {},
      {
        onStarted: () => markOpened(),
        onError: (error) => {
          subscription.unsubscribe();
          resolve(error);
        },
        onComplete: () => resolve("completed"),
      },
    );
    // Bounded: still open after this long (many re-checks) means it outlived its credentials.
    setTimeout(() => {
      resolve("still streaming");
      subscription.unsubscribe();
    }, 5000);
  });
  return { ended, opened };
}

describe("trust: progress stream outlives sign-out", () => {
  it("ends the stream of a session that signs out", async () => {
    const user = await bed.signedInUser();
    const tenant = await createTestTenant(bed.database.db, user.id);
    const client = bed.client({ accessToken: user.accessToken, tenantId: tenant.id });
    const stream = streamEnding(client);
    await stream.opened;
    await client.auth.signOut.mutate();
    const ending = await stream.ended;
    expect(ending).toBeInstanceOf(TRPCClientError);
    expect((ending as TRPCClientError<never>).data).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("ends the stream of a revoked API key, and keeps a valid one open", async () => {
    const user = await bed.signedInUser();
    const tenant = await createTestTenant(bed.database.db, user.id);
    const admin = bed.client({ accessToken: user.accessToken, tenantId: tenant.id });
    const revoked = await admin.apiKey.create.mutate({ name: "to revoke", scopes: ["read"] });
    const kept = await admin.apiKey.create.mutate({ name: "kept", scopes: ["read"] });

    const revokedStream = streamEnding(bed.client({ apiKey: revoked.secret }));
    const keptStream = streamEnding(bed.client({ apiKey: kept.secret }));
    await Promise.all([revokedStream.opened, keptStream.opened]);
    await admin.apiKey.revoke.mutate({ apiKeyId: revoked.apiKey.id });
    expect(((await revokedStream.ended) as TRPCClientError<never>).data).toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(await keptStream.ended).toBe("still streaming");
  });
});
