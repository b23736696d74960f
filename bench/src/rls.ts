/**
 * ./techscaniq bench rls — what row-level security costs a tenant-scoped
 * tRPC list call. 100 tenants × 1,000 audit_log rows; the same signed-in
 * user calls, over the same HTTP server and auth path:
 *   - audit.list: the real procedure, in a transaction as `authenticated`
 *     with the JWT claims set, tenant role resolved, RLS filtering rows;
 *   - bench.auditListAsService: the same query (same function, same explicit
 *     tenant filter) in a service-role transaction, where RLS does not apply.
 * Calls alternate so drift hits both alike. Prints p50/p99, the ratio and
 * the machine. Goal: ratio ≤ 1.2.
 */
import { cpus, totalmem, type as osType, release } from "node:os";
import { listAuditEntries, mergeRouters, protectedProcedure, router, appRouter } from "@techscaniq/api";
import { startTestApiServer } from "@techscaniq/api/testing";
import { createDb, sql, withServiceTx } from "@techscaniq/db";
import { cloneTemplate, createTestTenant, createTestUser, startTestServer } from "@techscaniq/db/testing";
import { z } from "zod";

const TENANTS = 100;
const ROWS_PER_TENANT = 1_000;
const PAGE = 50;
const WARMUP_CALLS = 300;
const MEASURED_CALLS = 3_000;

const benchRouter = router({
  bench: router({
    auditListAsService: protectedProcedure
      .input(z.strictObject({ limit: z.number().int().min(1).max(200) }))
      .query(({ ctx, input }) => {
        const tenantId = z.uuid().parse(ctx.tenantHeader);
        return withServiceTx(ctx.db, (trx) => listAuditEntries(trx, tenantId, input));
      }),
  }),
});
const benchAppRouter = mergeRouters(appRouter, benchRouter);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// A throwaway Postgres of its own (migrated template, durability off), stopped at the end.
const postgres = await startTestServer();
const db = createDb(await cloneTemplate(postgres.url));
try {
  process.stderr.write(`seeding ${TENANTS} tenants × ${ROWS_PER_TENANT} audit_log rows…\n`);
  const users = [];
  for (let i = 0; i < TENANTS; i++) {
    const user = await createTestUser(db);
    const tenant = await createTestTenant(db, user.id, `bench-${String(i).padStart(3, "0")}`);
    users.push({ user, tenant });
  }
  await withServiceTx(db, async (trx) => {
    await sql`
      insert into public.audit_log (tenant_id, actor_user_id, action, target, details, request_id, created_at)
      select m.tenant_id, m.user_id, 'bench.action', 'row:' || g, jsonb_build_object('n', g), 'bench-' || g,
             now() - make_interval(secs => ${ROWS_PER_TENANT} - g)
        from public.memberships m, generate_series(1, ${ROWS_PER_TENANT}) g`.execute(trx);
  });
  await sql`analyze`.execute(db.kysely);
  const { rows: totals } = await sql<{ n: string }>`select count(*) as n from public.audit_log`.execute(
    db.kysely,
  );
  const { rows: versions } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(
    db.kysely,
  );

  const server = await startTestApiServer(db, { router: benchAppRouter });
  try {
    const subject = users[Math.floor(TENANTS / 2)]!;
    const signIn = await fetch(`${server.url}/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: subject.user.email, password: subject.user.password }),
    });
    process.stderr.write("measuring…\n");
    const { result } = (await signIn.json()) as { result: { data: { accessToken: string } } };
    const headers = { authorization: `Bearer ${result.data.accessToken}`, "x-tenant-id": subject.tenant.id };
    const input = encodeURIComponent(JSON.stringify({ limit: PAGE }));
    const call = async (procedure: string): Promise<{ ms: number; ids: string[] }> => {
      const started = performance.now();
      const response = await fetch(`${server.url}/${procedure}?input=${input}`, { headers });
      const body = (await response.json()) as {
        result?: { data: { id: string }[] };
        error?: { message: string };
      };
      const ms = performance.now() - started;
      if (!response.ok || !body.result)
        throw new Error(`${procedure} failed: ${body.error?.message ?? response.status}`);
      return { ms, ids: body.result.data.map((entry) => entry.id) };
    };

    // Same rows either way, or the comparison means nothing.
    const [withRls, asService] = [await call("audit.list"), await call("bench.auditListAsService")];
    if (withRls.ids.length !== PAGE || withRls.ids.join() !== asService.ids.join())
      throw new Error("the two paths returned different rows");

    for (let i = 0; i < WARMUP_CALLS; i++) {
      await call("audit.list");
      await call("bench.auditListAsService");
    }
    const rlsMs: number[] = [];
    const serviceMs: number[] = [];
    for (let i = 0; i < MEASURED_CALLS; i++) {
      // Alternate which goes first, so neither always follows the other.
      if (i % 2 === 0) {
        rlsMs.push((await call("audit.list")).ms);
        serviceMs.push((await call("bench.auditListAsService")).ms);
      } else {
        serviceMs.push((await call("bench.auditListAsService")).ms);
        rlsMs.push((await call("audit.list")).ms);
      }
    }
    rlsMs.sort((a, b) => a - b);
    serviceMs.sort((a, b) => a - b);

    const fmt = (ms: number) => ms.toFixed(2).padStart(8);
    const row = (label: string, sorted: number[]) =>
      `${label.padEnd(34)}${fmt(percentile(sorted, 50))}${fmt(percentile(sorted, 99))}${fmt(sorted.reduce((a, b) => a + b, 0) / sorted.length)}`;
    const p50Ratio = percentile(rlsMs, 50) / percentile(serviceMs, 50);
    const p99Ratio = percentile(rlsMs, 99) / percentile(serviceMs, 99);
    const cpu = cpus();
    console.log(`RLS benchmark — tRPC audit.list (limit ${PAGE}) over HTTP on 127.0.0.1`);
    console.log(
      `data: ${TENANTS} tenants × ${ROWS_PER_TENANT} audit_log rows (${Number(totals[0]!.n).toLocaleString("en")} rows), ${MEASURED_CALLS} calls per path after ${WARMUP_CALLS} warm-up`,
    );
    console.log(
      `machine: ${cpu[0]?.model.trim() ?? "unknown CPU"} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${osType()} ${release()}, node ${process.version}, Postgres ${versions[0]!.v} (embedded, durability off)`,
    );
    console.log("");
    console.log(`${"".padEnd(34)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}${"mean".padStart(8)}`);
    console.log(row("with RLS (authenticated + claims)", rlsMs));
    console.log(row("service role, no RLS", serviceMs));
    console.log(
      `${"ratio RLS / service".padEnd(34)}${p50Ratio.toFixed(2).padStart(8)}${p99Ratio.toFixed(2).padStart(8)}`,
    );
    console.log("");
    console.log(`goal p50 ratio ≤ 1.2: ${p50Ratio <= 1.2 ? "met" : "NOT met"}`);
  } finally {
    await server.close();
  }
} finally {
  await db.close();
  await postgres.stop();
}
