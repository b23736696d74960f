import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { sql } from "@techscaniq/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "./router";
import { startTestApiServer, type TestApiServer } from "./testing";
import { mergeRouters, publicProcedure, router } from "./trpc";

/** The HTTP edge: request ids, and errors that never leak internals. */

const failingRouter = router({
  failing: router({
    plainError: publicProcedure.input(z.strictObject({})).query(() => {
      throw new Error("connect ECONNREFUSED while running select * from secret_table");
    }),
    sqlError: publicProcedure.query(async ({ ctx }) => {
      await sql`select * from table_that_does_not_exist`.execute(ctx.db.kysely);
      return "unreachable";
    }),
    badOutput: publicProcedure.output(z.object({ id: z.uuid() })).query(() => ({ id: "not-a-uuid" })),
  }),
});

let database: TestDatabase;
let server: TestApiServer;
beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestApiServer(database.db, { router: mergeRouters(appRouter, failingRouter) });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/${path}`, { headers });
  return { response, text: await response.text() };
}

describe("request ids", () => {
  it("echoes a caller's x-request-id and makes one up otherwise, on success and failure alike", async () => {
    const echoed = await get("auth.me", { "x-request-id": "trace-abc.123" });
    expect(echoed.response.headers.get("x-request-id")).toBe("trace-abc.123");
    expect(JSON.parse(echoed.text).error.data.requestId).toBe("trace-abc.123");
    const generated = await get("auth.me");
    expect(generated.response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await get("auth.me", { "x-request-id": "bad id with spaces" });
    expect(unsafe.response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("internal errors", () => {
  it.each(["failing.plainError?input=%7B%7D", "failing.sqlError", "failing.badOutput"])(
    "%s → 500 'Internal error (request id …)', no stack, no SQL",
    async (path) => {
      const { response, text } = await get(path, { "x-request-id": "req-42" });
      expect(response.status).toBe(500);
      const body = JSON.parse(text) as { error: { message: string; data: Record<string, unknown> } };
      expect(body.error.message).toBe("Internal error (request id req-42)");
      expect(body.error.data).toMatchObject({ code: "INTERNAL_SERVER_ERROR", httpStatus: 500 });
      expect(body.error.data).not.toHaveProperty("stack");
      expect(text).not.toMatch(/secret_table|table_that_does_not_exist|ECONNREFUSED|\.ts:\d+|not-a-uuid/);
    },
  );

  it("answers an unknown procedure with NOT_FOUND", async () => {
    const { response, text } = await get("nothing.here");
    expect(response.status).toBe(404);
    expect(JSON.parse(text).error.data.code).toBe("NOT_FOUND");
  });

  it("maps policy refusals and constraint violations from Postgres to FORBIDDEN and CONFLICT without SQL", async () => {
    const { toDomainError } = await import("./errors");
    expect(
      toDomainError(
        Object.assign(new Error('new row violates row-level security policy for table "tenants"'), {
          code: "42501",
        }),
      ),
    ).toMatchObject({
      code: "FORBIDDEN",
      message: "You are not allowed to do that",
    });
    expect(
      toDomainError(
        Object.assign(new Error('duplicate key value violates unique constraint "tenants_slug_key"'), {
          code: "23505",
        }),
      ),
    ).toMatchObject({
      code: "CONFLICT",
      message: "That already exists",
    });
  });
});
