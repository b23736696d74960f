import { withServiceTx } from "@techscaniq/db";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as HealthRoute from "./route";
import type * as LiveRoute from "../live/route";
import type * as ReadyRoute from "../ready/route";

describe("GET /api/health, /api/ready, /api/live", () => {
  let database: TestDatabase;
  let routes: {
    health: typeof HealthRoute;
    ready: typeof ReadyRoute;
    live: typeof LiveRoute;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // The route handlers read their settings from the environment, once per process.
    process.env.DATABASE_URL = database.url;
    routes = {
      health: await import("./route"),
      ready: await import("../ready/route"),
      live: await import("../live/route"),
    };
  });
  afterAll(async () => {
    await database.drop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Request(`http://127.0.0.1${path}`, { headers });

  it("answers 503 naming the missing worker, then 200 once a worker beats; echoes the request id", async () => {
    const unhealthy = await routes.health.GET(get("/api/health", { "x-request-id": "req-health-0001" }));
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.headers.get("x-request-id")).toBe("req-health-0001");
    expect(unhealthy.headers.get("cache-control")).toBe("no-store");
    expect(await unhealthy.json()).toMatchObject({
      status: "unhealthy",
      checks: { database: { ok: true }, migrations: { ok: true }, worker: { ok: false, alive: 0 } },
    });

    await withServiceTx(database.db, (trx) =>
      trx
        .insertInto("worker_heartbeats")
        .values({ worker_id: "route-test", hostname: "test", pid: 1 })
        .execute(),
    );
    const healthy = await routes.health.GET(get("/api/health"));
    expect(healthy.status).toBe(200);
    expect(healthy.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await healthy.json()).toMatchObject({ status: "ok", checks: { worker: { ok: true, alive: 1 } } });
  });

  it("is ready and live with a migrated database", async () => {
    const ready = await routes.ready.GET(get("/api/ready"));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ok",
      checks: { database: { ok: true }, migrations: { ok: true } },
    });
    const live = routes.live.GET(get("/api/live"));
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });
  });
});
