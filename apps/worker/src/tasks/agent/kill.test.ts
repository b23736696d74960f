import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { withServiceTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startFakeLlm, type FakeLlmServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnWorker } from "../../testing/scan";
import { stepsOf } from "./store";
import {
  createPublishedAgent,
  eventually,
  runReaches,
  triggerRun,
  type TestMember,
} from "../../testing/agent";

let database: TestDatabase;
let fake: FakeLlmServer;
let dataDir: string;
let member: TestMember;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeLlm();
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-agent-kill-"));
  const user = await createTestUser(database.db);
  member = { tenantId: (await createTestTenant(database.db, user.id)).id, userId: user.id };
  // The spawned workers inherit this environment: the deployment's OpenAI key, pointed at the fake.
  process.env.OPENAI_API_KEY = "sk-test";
  process.env.OPENAI_BASE_URL = fake.openaiBaseUrl;
  process.env.TECHSCANIQ_OPENAI_MODEL = "gpt-4o-mini";
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await Promise.all(
    children.map((child) =>
      child.exitCode === null && child.signalCode === null
        ? new Promise((resolve) => child.once("exit", resolve))
        : null,
    ),
  );
  await fake?.close();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function startWorkerProcess(name: string): ChildProcess {
  const { child } = spawnWorker(database.url, `${name}-${process.pid}`, dataDir);
  children.push(child);
  return child;
}

describe("agents: a worker killed with SIGKILL mid-run", () => {
  it("agents: another worker resumes the model run from its checkpoint without repeating finished steps", async () => {
    const scanId = await withServiceTx(database.db, async (tx) => {
      const scan = await tx
        .insertInto("scans")
        .values({ tenant_id: member.tenantId, target_url: "https://example.com/", status: "succeeded" })
        .returning("id")
        .executeTakeFirstOrThrow();
      return scan.id;
    });
    const agentId = await createPublishedAgent(database.db, member, {
      instructions: "Read the findings.",
      inputSchema: { type: "object" },
      tools: ["read_findings"],
    });
    fake.enqueue(
      { toolCalls: [{ name: "read_findings", arguments: { scanId } }] },
      // The second call hangs: the worker dies while waiting for it.
      { text: "never sent", delayMs: 600_000 },
      { text: "The scan has no findings." },
    );
    const first = startWorkerProcess("agent-before-kill");
    const runId = await triggerRun(database.db, member, agentId, {});
    await eventually(async () => {
      const steps = await stepsOf(database.db, runId);
      return steps.length === 3 && steps[2]!.status === "running" && fake.requests.length === 2;
    }, "the second model call in flight");
    first.kill("SIGKILL");
    startWorkerProcess("agent-after-kill");

    const run = await runReaches(database.db, runId, ["succeeded", "failed", "cancelled", "budget_exceeded"]);
    expect(run.error_message).toBeNull();
    expect(run.status).toBe("succeeded");
    const steps = await stepsOf(database.db, runId);
    expect(steps.map((step) => `${step.seq} ${step.kind} ${step.status}`)).toEqual([
      "1 model_call ok",
      "2 tool_call ok",
      "3 model_call ok",
    ]);
    // The resumed worker asked the same second question again; the first call was never repeated.
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[2]!.body.messages).toEqual(fake.requests[1]!.body.messages);
    expect((run.output as { summary: string }).summary).toBe("The scan has no findings.");
  }, 240_000);
});
