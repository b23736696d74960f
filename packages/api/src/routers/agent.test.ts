import { AGENT_TEMPLATES, buildAgentPrompt, templateSpec } from "@techscaniq/contracts/agents";
import { emitEvent, sql, withServiceTx } from "@techscaniq/db";
import { addTestMember, createTestTenant } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../domain/api-keys";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

let bed: ApiTestBed;
let alice: SignedInUser;
let bob: SignedInUser;
let viewer: SignedInUser;
let tenantA: { id: string; slug: string };
let tenantB: { id: string };
let readKey: string;
let writeKey: string;

const asAlice = () => bed.client({ accessToken: alice.accessToken, tenantId: tenantA.id });
const asBob = () => bed.client({ accessToken: bob.accessToken, tenantId: tenantB.id });
const asViewer = () => bed.client({ accessToken: viewer.accessToken, tenantId: tenantA.id });
const db = () => bed.database.db.kysely;

const URLS = { urls: ["https://a.example/", "https://b.example/"] };
const customSpec = {
  instructions: "Scan the URL and list its technologies.",
  inputSchema: {
    type: "object",
    properties: { url: { type: "string" } },
    required: ["url"],
    additionalProperties: false,
  },
  tools: ["scan_url", "read_findings"],
  plan: [{ tool: "scan_url", input: { url: "{{input.url}}" } }],
};

beforeAll(async () => {
  bed = await startApiTestBed();
  [alice, bob, viewer] = [await bed.signedInUser(), await bed.signedInUser(), await bed.signedInUser()];
  tenantA = await createTestTenant(bed.database.db, alice.id);
  tenantB = await createTestTenant(bed.database.db, bob.id);
  await addTestMember(bed.database.db, tenantA.id, viewer.id, "viewer");
  const key = (name: string, scopes: ("read" | "write")[]) =>
    createApiKey(bed.database.db, { tenantSlug: tenantA.slug, name, scopes });
  readKey = (await key("reader", ["read"])).secret;
  writeKey = (await key("writer", ["read", "write"])).secret;
});

afterAll(() => bed.close());

let names = 0;
const uniqueName = () => `Agent ${++names}`;

/** What a refused call must leave as it was. */
async function counts() {
  const { rows } = await sql<{
    agents: number;
    versions: number;
    runs: number;
    jobs: number;
    events: number;
  }>`
    select (select count(*)::int from public.agents) as agents,
           (select count(*)::int from public.agent_versions) as versions,
           (select count(*)::int from public.agent_runs) as runs,
           (select count(*)::int from graphile_worker.jobs) as jobs,
           (select count(*)::int from public.events where type like 'agent%') as events`.execute(db());
  return rows[0]!;
}

async function stackWatch(client = asAlice()) {
  return client.agent.create.mutate({ name: uniqueName(), templateId: "stack-watch" });
}

/** The worker's part, done here as the service role: move a run on and write its steps. */
async function asWorker(
  runId: string,
  status: "running" | "waiting_approval" | "succeeded" | "failed",
  { approvalStep = false } = {},
) {
  await withServiceTx(bed.database.db, async (tx) => {
    const ended = status === "succeeded" || status === "failed";
    const run = await tx
      .updateTable("agent_runs")
      .set({
        status,
        started_at: new Date(),
        ...(ended ? { ended_at: new Date() } : {}),
        ...(status === "failed" ? { error_message: "scan_url failed" } : {}),
        ...(status === "succeeded"
          ? { output: JSON.stringify({ summary: "done", results: [], actions: [] }) }
          : {}),
      })
      .where("id", "=", runId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (approvalStep)
      await tx
        .insertInto("agent_run_steps")
        .values({
          tenant_id: run.tenant_id,
          run_id: runId,
          seq: 1,
          kind: "approval",
          name: "propose_action",
          request: JSON.stringify({ action: "issue.create", title: "Critical library" }),
          status: "waiting",
        })
        .execute();
    await emitEvent(tx, {
      type: `agent_run.${status}`,
      tenantId: run.tenant_id,
      userId: null,
      subject: runId,
    });
  });
}

async function jobOf(runId: string) {
  const { rows } = await sql<{ task: string; key: string; payload: unknown }>`
    select t.identifier as task, j.key, j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
     where j.key = ${`agent_run:${runId}`}`.execute(db());
  return rows;
}

describe("agents: agent router", () => {
  it("lists the templates with their parsed specs", async () => {
    const templates = await asViewer().agent.templates.query();
    expect(templates.map((template) => template.id)).toEqual(AGENT_TEMPLATES.map((template) => template.id));
    expect(templates[0]!.spec).toEqual(templateSpec(AGENT_TEMPLATES[0]));
  });

  it("creates an agent from a template published at version 1; from a spec as a draft", async () => {
    const fromTemplate = await stackWatch();
    expect(fromTemplate).toMatchObject({ status: "published", currentVersion: 1, createdBy: alice.id });
    const versions = await asAlice().agent.versions.query({ agentId: fromTemplate.id });
    expect(versions).toMatchObject([{ version: 1, template: "stack-watch", createdBy: alice.id }]);
    expect(versions[0]!.spec).toEqual(templateSpec(AGENT_TEMPLATES[0]));

    const draft = await asAlice().agent.create.mutate({ name: uniqueName(), spec: customSpec });
    expect(draft).toMatchObject({ status: "draft", currentVersion: null });
    expect(draft.draftSpec).toMatchObject({ autonomy: "suggest", budget: { maxTokens: 100_000, maxUsd: 1 } });
    expect(await asAlice().agent.versions.query({ agentId: draft.id })).toEqual([]);
    expect((await asAlice().agent.list.query()).map((agent) => agent.id)).toEqual(
      expect.arrayContaining([fromTemplate.id, draft.id]),
    );
  });

  it.each([
    [{ spec: { ...customSpec, tools: [] } }, "spec.tools: an agent needs at least one tool"],
    [{ spec: { ...customSpec, tools: ["rm_rf"] } }, 'spec.tools.0: unknown tool "rm_rf"'],
    [{ spec: { ...customSpec, inputSchema: { type: "string" } } }, "spec.inputSchema: inputSchema must be"],
    [
      { spec: { ...customSpec, plan: [{ tool: "compare_scans", input: {} }] } },
      "spec.plan.0.tool: plan step 1 uses compare_scans",
    ],
    [{ spec: { ...customSpec, secret: 1 } }, "spec.secret: is not a known field"],
    [{ templateId: "nope" }, 'templateId: there is no template "nope"'],
    [{}, "templateId: give either templateId"],
    [{ templateId: "stack-watch", spec: customSpec }, "templateId: give either templateId"],
    [{ templateId: "stack-watch", name: " " }, "name: name is required"],
  ])("refuses %j with the issues by path, writing nothing", async (input, message) => {
    const before = await counts();
    await expectTrpcError(
      asAlice().agent.create.mutate({ name: uniqueName(), ...input } as never),
      "BAD_REQUEST",
      message,
    );
    expect(await counts()).toEqual(before);
  });

  it("refuses a second agent of the same name in the tenant", async () => {
    const agent = await stackWatch();
    await expectTrpcError(
      asAlice().agent.create.mutate({ name: agent.name, templateId: "thesis-check" }),
      "CONFLICT",
      `An agent named "${agent.name}" already exists`,
    );
  });

  it("edits the draft, publishes it as version 2 and diffs the versions field by field", async () => {
    const agent = await stackWatch();
    const edited = await asAlice().agent.updateDraft.mutate({
      agentId: agent.id,
      description: "Portfolio sites",
      spec: {
        ...agent.draftSpec,
        budget: { maxTokens: 5000, maxUsd: 0.5 },
        tools: ["scan_url", "compare_scans"],
      },
    });
    expect(edited).toMatchObject({ description: "Portfolio sites", currentVersion: 1 });
    await expectTrpcError(
      asAlice().agent.updateDraft.mutate({ agentId: agent.id, spec: { ...agent.draftSpec, maxSteps: 0 } }),
      "BAD_REQUEST",
      "spec.maxSteps:",
    );
    expect(await asAlice().agent.publish.mutate({ agentId: agent.id })).toEqual({ version: 2 });
    expect(await asAlice().agent.get.query({ agentId: agent.id })).toMatchObject({
      status: "published",
      currentVersion: 2,
    });
    const diff = await asAlice().agent.versionDiff.query({ agentId: agent.id, from: 1, to: 2 });
    expect(diff).toEqual({
      from: 1,
      to: 2,
      changes: [
        { path: "budget.maxTokens", from: 100_000, to: 5000 },
        { path: "budget.maxUsd", from: 1, to: 0.5 },
        {
          path: "tools",
          from: ["scan_url", "compare_scans", "read_findings"],
          to: ["scan_url", "compare_scans"],
        },
      ],
    });
    await expectTrpcError(
      asAlice().agent.versionDiff.query({ agentId: agent.id, from: 1, to: 3 }),
      "NOT_FOUND",
      "has no version 3",
    );
  });

  it("publishes only a valid draft: one changed around the API is refused with its issues", async () => {
    const agent = await stackWatch();
    await withServiceTx(bed.database.db, (tx) =>
      tx
        .updateTable("agents")
        .set({ draft_spec: JSON.stringify({ ...agent.draftSpec, instructions: "" }) })
        .where("id", "=", agent.id)
        .execute(),
    );
    const before = await counts();
    await expectTrpcError(
      asAlice().agent.publish.mutate({ agentId: agent.id }),
      "BAD_REQUEST",
      "draftSpec.instructions: instructions must not be empty",
    );
    expect(await counts()).toEqual(before);
  });

  it("pauses, resumes and archives; refuses the moves that make no sense", async () => {
    const agent = await stackWatch();
    expect(await asAlice().agent.pause.mutate({ agentId: agent.id })).toMatchObject({ status: "paused" });
    await expectTrpcError(
      asAlice().agent.pause.mutate({ agentId: agent.id }),
      "PRECONDITION_FAILED",
      "paused",
    );
    expect(await asAlice().agent.resume.mutate({ agentId: agent.id })).toMatchObject({ status: "published" });
    expect(await asAlice().agent.archive.mutate({ agentId: agent.id })).toMatchObject({ status: "archived" });
    await expectTrpcError(
      asAlice().agent.updateDraft.mutate({ agentId: agent.id, name: uniqueName() }),
      "PRECONDITION_FAILED",
      "archived",
    );
    const draft = await asAlice().agent.create.mutate({ name: uniqueName(), spec: customSpec });
    await expectTrpcError(
      asAlice().agent.archive.mutate({ agentId: draft.id }),
      "PRECONDITION_FAILED",
      "delete a draft that was never published",
    );
  });

  it("previews exactly the first model call of the version: the bytes buildAgentPrompt makes", async () => {
    const agent = await stackWatch();
    const preview = await asAlice().agent.previewPrompt.query({ agentId: agent.id, input: URLS });
    const expected = buildAgentPrompt(
      { name: agent.name, version: 1, spec: templateSpec(AGENT_TEMPLATES[0]) },
      URLS,
    );
    expect(JSON.stringify(preview)).toBe(JSON.stringify(expected));
    await expectTrpcError(
      asAlice().agent.previewPrompt.query({ agentId: agent.id, input: { urls: [] } }),
      "BAD_REQUEST",
      /input does not match the input schema of version 1: urls: /,
    );
    const draft = await asAlice().agent.create.mutate({ name: uniqueName(), spec: customSpec });
    await expectTrpcError(
      asAlice().agent.previewPrompt.query({ agentId: draft.id, input: { url: "https://a.example/" } }),
      "PRECONDITION_FAILED",
      "never published",
    );
  });

  it("deletes an agent with its versions and runs, but not while a run is active", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    await expectTrpcError(asAlice().agent.delete.mutate({ agentId: agent.id }), "CONFLICT", run.id);
    await asWorker(run.id, "succeeded");
    expect(await asAlice().agent.delete.mutate({ agentId: agent.id })).toEqual({ deleted: true });
    const left = await db().selectFrom("agent_runs").select("id").where("agent_id", "=", agent.id).execute();
    expect(left).toEqual([]);
    await expectTrpcError(asAlice().agent.get.query({ agentId: agent.id }), "NOT_FOUND");
  });
});

describe("agents: agentRun router", () => {
  it("triggers a run: the run, its job agent_run:<id>, an agent_run.queued event, audit", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    expect(run).toMatchObject({
      agentId: agent.id,
      agentVersion: 1,
      trigger: "manual",
      status: "queued",
      input: URLS,
      createdBy: alice.id,
      inputTokens: 0,
      costUsd: 0,
      retryOf: null,
    });
    expect(await jobOf(run.id)).toEqual([
      { task: "agent.run", key: `agent_run:${run.id}`, payload: { runId: run.id } },
    ]);
    const events = await db()
      .selectFrom("events")
      .select(["type", "user_id"])
      .where("subject", "=", run.id)
      .execute();
    expect(events).toEqual([{ type: "agent_run.queued", user_id: alice.id }]);
    const audit = await db()
      .selectFrom("audit_log")
      .select(["action", "actor_user_id"])
      .where("target", "=", `agent_run:${run.id}`)
      .execute();
    expect(audit).toEqual([{ action: "agentRun.trigger", actor_user_id: alice.id }]);
    expect(await asAlice().agentRun.get.query({ runId: run.id })).toEqual(run);

    const byKey = await bed
      .client({ apiKey: writeKey })
      .agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    expect(byKey).toMatchObject({ trigger: "api", createdBy: null });
  });

  it("refuses input that does not fit the version's schema, and agents that are not published", async () => {
    const agent = await stackWatch();
    const before = await counts();
    await expectTrpcError(
      asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: { urls: ["not a url"], extra: 1 } }),
      "BAD_REQUEST",
      /^input does not match the input schema of version 1: .*urls\.0/,
    );
    await expectTrpcError(
      asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: [] as never }),
      "BAD_REQUEST",
      "input: input must be a JSON object",
    );
    const draft = await asAlice().agent.create.mutate({ name: uniqueName(), spec: customSpec });
    await expectTrpcError(
      asAlice().agentRun.trigger.mutate({ agentId: draft.id, input: { url: "https://a.example/" } }),
      "PRECONDITION_FAILED",
      /is draft; only a published agent can run \(publish it first\)/,
    );
    await asAlice().agent.pause.mutate({ agentId: agent.id });
    await expectTrpcError(
      asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS }),
      "PRECONDITION_FAILED",
      /is paused; .*\(resume it first\)/,
    );
    await asAlice().agent.archive.mutate({ agentId: agent.id });
    await expectTrpcError(
      asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS }),
      "PRECONDITION_FAILED",
      /is archived/,
    );
    const after = await counts();
    expect({ ...after, agents: before.agents }).toEqual(before);
  });

  it("cancel asks the worker to stop (cancel_requested_at and its event); an ended run is left", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    const cancelling = await asAlice().agentRun.cancel.mutate({ runId: run.id });
    expect(cancelling).toMatchObject({ status: "queued" });
    expect(cancelling.cancelRequestedAt).not.toBeNull();
    const types = await db()
      .selectFrom("events")
      .select("type")
      .where("subject", "=", run.id)
      .orderBy("id")
      .execute();
    expect(types.map((row) => row.type)).toEqual(["agent_run.queued", "agent_run.cancel_requested"]);
    await asWorker(run.id, "failed");
    await expectTrpcError(
      asAlice().agentRun.cancel.mutate({ runId: run.id }),
      "CONFLICT",
      "already ended (failed)",
    );
  });

  it("approve and reject decide the waiting approval step and queue the run to resume", async () => {
    const agent = await asAlice().agent.create.mutate({
      name: uniqueName(),
      templateId: "security-regression",
    });
    for (const decision of ["approve", "reject"] as const) {
      const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
      await expectTrpcError(
        asAlice().agentRun[decision].mutate({ runId: run.id }),
        "CONFLICT",
        "not waiting for approval",
      );
      await asWorker(run.id, "waiting_approval", { approvalStep: true });
      const resumed = await asAlice().agentRun[decision].mutate({ runId: run.id, note: "looked at it" });
      expect(resumed.status).toBe("queued");
      const [step] = await asAlice().agentRun.steps.query({ runId: run.id });
      expect(step).toMatchObject({
        kind: "approval",
        status: decision === "approve" ? "approved" : "rejected",
        decidedBy: alice.id,
        decisionNote: "looked at it",
      });
      expect(await jobOf(run.id)).toHaveLength(1);
    }
  });

  it("retry makes a new run of the same version and input, pointing back at the ended one", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    await expectTrpcError(
      asAlice().agentRun.retry.mutate({ runId: run.id }),
      "CONFLICT",
      "only an ended run",
    );
    await asWorker(run.id, "failed");
    await asAlice().agent.publish.mutate({ agentId: agent.id });
    const retried = await asAlice().agentRun.retry.mutate({ runId: run.id });
    expect(retried).toMatchObject({ retryOf: run.id, agentVersion: 1, input: URLS, status: "queued" });
    expect(await jobOf(retried.id)).toHaveLength(1);
  });

  it("lists runs newest first with filters and a cursor; status counts them and judges health", async () => {
    const agent = await stackWatch();
    const runs = [];
    for (let i = 0; i < 3; i += 1)
      runs.push(await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS }));
    await asWorker(runs[0]!.id, "failed");
    await asWorker(runs[1]!.id, "succeeded");
    const first = await asAlice().agentRun.list.query({ agentId: agent.id, limit: 2 });
    expect(first.items.map((run) => run.id)).toEqual([runs[2]!.id, runs[1]!.id]);
    const second = await asAlice().agentRun.list.query({
      agentId: agent.id,
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second).toMatchObject({ items: [{ id: runs[0]!.id }], nextCursor: null });
    const failed = await asAlice().agentRun.list.query({ agentId: agent.id, status: "failed" });
    expect(failed.items.map((run) => run.id)).toEqual([runs[0]!.id]);
    expect(
      (await asAlice().agentRun.list.query({ agentId: agent.id, status: ["succeeded", "queued"] })).items,
    ).toHaveLength(2);
    await expectTrpcError(
      asAlice().agentRun.list.query({ cursor: "bogus" }),
      "BAD_REQUEST",
      "cursor: is not a cursor returned by agentRun.list",
    );

    const status = await asAlice().agent.status.query({ agentId: agent.id });
    expect(status).toMatchObject({
      lastRun: { id: runs[2]!.id },
      counts: { queued: 1, succeeded: 1, failed: 1, running: 0 },
      nextRunAt: null,
      health: "degraded",
    });
  });

  it("a missed schedule slot makes the agent degraded, not healthy", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    await asWorker(run.id, "succeeded");
    expect((await asAlice().agent.status.query({ agentId: agent.id })).health).toBe("healthy");
    await withServiceTx(bed.database.db, (tx) =>
      tx
        .insertInto("agent_runs")
        .values({
          tenant_id: tenantA.id,
          agent_id: agent.id,
          agent_version: 1,
          trigger: "schedule",
          input: JSON.stringify(URLS),
          status: "missed",
          skip_reason: "worker down; outside catch-up window 0",
          ended_at: new Date(Date.now() - 60_000),
        })
        .execute(),
    );
    expect((await asAlice().agent.status.query({ agentId: agent.id })).health).toBe("degraded");
  });

  it("streams the run's events over SSE until the worker's terminal event", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    const seen: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const subscription = asViewer().agentRun.progress.subscribe(
        { runId: run.id },
        {
          onData: ({ data }) => {
            seen.push(data.type);
            expect(data.runId).toBe(run.id);
          },
          onComplete: resolve,
          onError: (error) => {
            subscription.unsubscribe();
            reject(error);
          },
        },
      );
    });
    await asWorker(run.id, "running");
    await asWorker(run.id, "succeeded");
    await done;
    expect(seen).toEqual(["agent_run.queued", "agent_run.running", "agent_run.succeeded"]);
  });
});

describe("agents: another tenant, a viewer and a read-only key", () => {
  /** Every agent and agentRun procedure, aimed at tenant A's agent and run. */
  const calls = (agentId: string, runId: string) =>
    ({
      "agent.get": (c) => c.agent.get.query({ agentId }),
      "agent.updateDraft": (c) => c.agent.updateDraft.mutate({ agentId, description: "x" }),
      "agent.publish": (c) => c.agent.publish.mutate({ agentId }),
      "agent.pause": (c) => c.agent.pause.mutate({ agentId }),
      "agent.resume": (c) => c.agent.resume.mutate({ agentId }),
      "agent.archive": (c) => c.agent.archive.mutate({ agentId }),
      "agent.delete": (c) => c.agent.delete.mutate({ agentId }),
      "agent.versions": (c) => c.agent.versions.query({ agentId }),
      "agent.versionDiff": (c) => c.agent.versionDiff.query({ agentId, from: 1, to: 1 }),
      "agent.status": (c) => c.agent.status.query({ agentId }),
      "agent.previewPrompt": (c) => c.agent.previewPrompt.query({ agentId, input: URLS }),
      "agentRun.trigger": (c) => c.agentRun.trigger.mutate({ agentId, input: URLS }),
      "agentRun.get": (c) => c.agentRun.get.query({ runId }),
      "agentRun.steps": (c) => c.agentRun.steps.query({ runId }),
      "agentRun.cancel": (c) => c.agentRun.cancel.mutate({ runId }),
      "agentRun.approve": (c) => c.agentRun.approve.mutate({ runId }),
      "agentRun.reject": (c) => c.agentRun.reject.mutate({ runId }),
      "agentRun.retry": (c) => c.agentRun.retry.mutate({ runId }),
      "agentRun.progress": (c) =>
        new Promise((resolve, reject) => {
          const subscription = c.agentRun.progress.subscribe(
            { runId },
            {
              onError: (error) => {
                subscription.unsubscribe();
                reject(error);
              },
              onComplete: () => resolve(undefined),
            },
          );
        }),
    }) satisfies Record<string, (client: ReturnType<typeof asAlice>) => Promise<unknown>>;

  it("another tenant gets NOT_FOUND from every agent and agentRun procedure, changing nothing", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    const { appRouter } = await import("../router");
    const ours = Object.keys(appRouter._def.procedures).filter((path) => /^agent(Run)?\./.test(path));
    const aimed = calls(agent.id, run.id);
    // templates, list and create name no row; list answers only the caller's own.
    expect(ours.filter((path) => !(path in aimed)).sort()).toEqual([
      "agent.create",
      "agent.list",
      "agent.templates",
      "agentRun.list",
    ]);
    const before = await counts();
    for (const [name, call] of Object.entries(aimed))
      await expectTrpcError(call(asBob()), "NOT_FOUND").catch((error: unknown) => {
        throw new Error(`${name}: ${String(error)}`);
      });
    expect(await counts()).toEqual(before);
    expect(await asBob().agent.list.query()).toEqual([]);
    expect((await asBob().agentRun.list.query({ agentId: agent.id })).items).toEqual([]);
    expect(await asAlice().agent.get.query({ agentId: agent.id })).toEqual(agent);
  });

  it("a viewer and a read-only key read agents and runs but change nothing", async () => {
    const agent = await stackWatch();
    const run = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    const readOnly = bed.client({ apiKey: readKey });
    const before = await counts();
    for (const client of [asViewer(), readOnly]) {
      expect(await client.agent.get.query({ agentId: agent.id })).toEqual(agent);
      expect((await client.agentRun.get.query({ runId: run.id })).id).toBe(run.id);
      expect(await client.agentRun.steps.query({ runId: run.id })).toEqual([]);
      await client.agent.previewPrompt.query({ agentId: agent.id, input: URLS });
      for (const [name, call] of Object.entries(calls(agent.id, run.id)))
        if (/updateDraft|publish|pause|resume|archive|delete|trigger|cancel|approve|reject|retry/.test(name))
          await expectTrpcError(call(client), "FORBIDDEN").catch((error: unknown) => {
            throw new Error(`${name}: ${String(error)}`);
          });
      await expectTrpcError(
        client.agent.create.mutate({ name: uniqueName(), templateId: "stack-watch" }),
        "FORBIDDEN",
      );
    }
    await expectTrpcError(
      readOnly.agentRun.trigger.mutate({ agentId: agent.id, input: URLS }),
      "FORBIDDEN",
      "only the read scope",
    );
    expect(await counts()).toEqual(before);
  });
});
