import {
  AGENT_RUN_STATUSES,
  AGENT_TEMPLATES,
  AgentSpec,
  agentInputProblems,
  agentTemplate,
  buildAgentPrompt,
  stableJson,
  templateSpec,
  type AgentPrompt,
  type AgentRunStatus,
} from "@techscaniq/contracts/agents";
import { formatInZone } from "@techscaniq/contracts/schedules";
import type { Database, Selectable, Transaction } from "@techscaniq/db";
import type { z } from "zod";
import { describeZodError, DomainError } from "../../errors";
import type { ScanActor } from "../scans/service";
import type {
  AGENT_HEALTHS,
  AgentVersionView,
  AgentView,
  createAgentInput,
  SpecChange,
  updateDraftInput,
} from "./agents.schemas";
import { toRunView } from "./runs";

type Tx = Transaction<Database>;
type AgentRow = Selectable<Database["agents"]>;
type VersionRow = Selectable<Database["agent_versions"]>;

export function toAgentView(row: AgentRow): AgentView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    status: row.status,
    currentVersion: row.current_version,
    draftSpec: row.draft_spec as AgentView["draftSpec"],
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toVersionView(row: VersionRow): AgentVersionView {
  return {
    version: row.version,
    spec: row.spec as AgentVersionView["spec"],
    template: row.template,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

/** The spec parsed with AgentSpec (defaults filled in), or BAD_REQUEST naming every issue by its path. */
export function parseSpec(spec: unknown, field = "spec"): AgentSpec {
  const result = AgentSpec.safeParse(spec);
  if (result.success) return result.data;
  const { message, fieldErrors } = describeZodError(result.error);
  const prefixed = Object.fromEntries(
    Object.entries(fieldErrors).map(([path, messages]) => [
      path === "input" ? field : `${field}.${path}`,
      messages,
    ]),
  );
  const text = Object.entries(prefixed)
    .map(([path, messages]) => `${path}: ${messages.join(", ")}`)
    .join("; ");
  throw new DomainError("BAD_REQUEST", text || message, prefixed, { cause: result.error });
}

const TEMPLATE_IDS = AGENT_TEMPLATES.map((template) => template.id).join(", ");

export function listTemplates() {
  return AGENT_TEMPLATES.map((template) => ({
    id: template.id,
    title: template.title,
    description: template.description,
    spec: templateSpec(template),
  }));
}

/** The agent, as RLS lets the caller see it; NOT_FOUND for another tenant's agent. */
export async function findAgent(
  tx: Tx,
  actor: ScanActor,
  agentId: string,
  { forUpdate = false } = {},
): Promise<AgentRow> {
  let query = tx
    .selectFrom("agents")
    .selectAll()
    .where("id", "=", agentId)
    .where("tenant_id", "=", actor.tenantId);
  if (forUpdate) query = query.forUpdate();
  const agent = await query.executeTakeFirst();
  if (!agent) throw new DomainError("NOT_FOUND", `Agent ${agentId} was not found in this tenant`);
  return agent;
}

export async function findVersion(tx: Tx, agent: AgentRow, version: number): Promise<VersionRow> {
  const row = await tx
    .selectFrom("agent_versions")
    .selectAll()
    .where("agent_id", "=", agent.id)
    .where("tenant_id", "=", agent.tenant_id)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", `Agent ${agent.id} has no version ${version}`);
  return row;
}

async function ensureNameFree(tx: Tx, actor: ScanActor, name: string, exceptId?: string) {
  let query = tx
    .selectFrom("agents")
    .select("id")
    .where("tenant_id", "=", actor.tenantId)
    .where("name", "=", name);
  if (exceptId) query = query.where("id", "<>", exceptId);
  if (await query.executeTakeFirst())
    throw new DomainError("CONFLICT", `An agent named "${name}" already exists in this tenant`, {
      name: ["already used by another agent"],
    });
}

/** Inserts the next version (current max + 1) of the spec and makes it the one runs use. */
async function insertVersion(tx: Tx, actor: ScanActor, agent: AgentRow, spec: AgentSpec): Promise<number> {
  const latest = await tx
    .selectFrom("agent_versions")
    .select((eb) => eb.fn.max("version").as("version"))
    .where("agent_id", "=", agent.id)
    .where("tenant_id", "=", agent.tenant_id)
    .executeTakeFirst();
  const version = (latest?.version ?? 0) + 1;
  await tx
    .insertInto("agent_versions")
    .values({
      tenant_id: agent.tenant_id,
      agent_id: agent.id,
      version,
      spec: JSON.stringify(spec),
      template: spec.template,
      created_by: actor.userId,
    })
    .execute();
  return version;
}

/** From a template: published at version 1. From a spec: a draft to edit and publish. */
export async function createAgent(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof createAgentInput>,
): Promise<AgentView> {
  let spec: AgentSpec;
  if (input.templateId !== undefined) {
    const template = agentTemplate(input.templateId);
    if (!template)
      throw new DomainError(
        "BAD_REQUEST",
        `templateId: there is no template "${input.templateId}"; templates: ${TEMPLATE_IDS}`,
        { templateId: ["unknown template"] },
      );
    spec = templateSpec(template);
  } else {
    spec = parseSpec(input.spec);
  }
  await ensureNameFree(tx, actor, input.name);
  const agent = await tx
    .insertInto("agents")
    .values({
      tenant_id: actor.tenantId,
      name: input.name,
      description: input.description ?? "",
      draft_spec: JSON.stringify(spec),
      created_by: actor.userId,
      updated_by: actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (input.templateId === undefined) return toAgentView(agent);
  const version = await insertVersion(tx, actor, agent, spec);
  return toAgentView(
    await tx
      .updateTable("agents")
      .set({ status: "published", current_version: version })
      .where("id", "=", agent.id)
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

function refuseArchived(agent: AgentRow, doing: string) {
  if (agent.status === "archived")
    throw new DomainError("PRECONDITION_FAILED", `Agent ${agent.name} is archived; it cannot be ${doing}`);
}

export async function updateDraft(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof updateDraftInput>,
): Promise<AgentView> {
  const agent = await findAgent(tx, actor, input.agentId, { forUpdate: true });
  refuseArchived(agent, "edited");
  const spec = input.spec === undefined ? undefined : parseSpec(input.spec);
  if (input.name !== undefined) await ensureNameFree(tx, actor, input.name, agent.id);
  const updated = await tx
    .updateTable("agents")
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(spec ? { draft_spec: JSON.stringify(spec) } : {}),
      updated_by: actor.userId,
    })
    .where("id", "=", agent.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAgentView(updated);
}

/** Validates the draft and pins it as the next version, in one transaction. */
export async function publishAgent(tx: Tx, actor: ScanActor, agentId: string): Promise<{ version: number }> {
  const agent = await findAgent(tx, actor, agentId, { forUpdate: true });
  refuseArchived(agent, "published");
  const spec = parseSpec(agent.draft_spec, "draftSpec");
  const version = await insertVersion(tx, actor, agent, spec);
  await tx
    .updateTable("agents")
    // A paused agent stays paused: publishing changes what runs, not whether it runs.
    .set({
      current_version: version,
      status: agent.status === "paused" ? "paused" : "published",
      updated_by: actor.userId,
    })
    .where("id", "=", agent.id)
    .execute();
  return { version };
}

const TRANSITIONS = {
  pause: { from: ["published"], to: "paused" },
  resume: { from: ["paused"], to: "published" },
  archive: { from: ["published", "paused"], to: "archived" },
} as const satisfies Record<string, { from: readonly AgentRow["status"][]; to: AgentRow["status"] }>;

/** pause (published → paused), resume (paused → published), archive (published or paused → archived) */
export async function changeAgentStatus(
  tx: Tx,
  actor: ScanActor,
  agentId: string,
  change: keyof typeof TRANSITIONS,
): Promise<AgentView> {
  const agent = await findAgent(tx, actor, agentId, { forUpdate: true });
  const { from, to } = TRANSITIONS[change];
  if (!(from as readonly string[]).includes(agent.status)) {
    const hint =
      agent.status === "draft" && change === "archive" ? "; delete a draft that was never published" : "";
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Agent ${agent.name} is ${agent.status}; only a ${from.join(" or ")} agent can be ${to}${hint}`,
    );
  }
  return toAgentView(
    await tx
      .updateTable("agents")
      .set({ status: to, updated_by: actor.userId })
      .where("id", "=", agent.id)
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

const ACTIVE_RUN_STATUSES: AgentRunStatus[] = ["queued", "running", "waiting_approval"];

/** Removes the agent with its versions, runs and steps; refused while a run is active. */
export async function deleteAgent(tx: Tx, actor: ScanActor, agentId: string): Promise<void> {
  const agent = await findAgent(tx, actor, agentId, { forUpdate: true });
  const active = await tx
    .selectFrom("agent_runs")
    .select("id")
    .where("agent_id", "=", agent.id)
    .where("status", "in", ACTIVE_RUN_STATUSES)
    .executeTakeFirst();
  if (active)
    throw new DomainError(
      "CONFLICT",
      `Agent ${agent.name} has an active run (${active.id}); cancel it or wait for it to end first`,
    );
  await tx.deleteFrom("agents").where("id", "=", agent.id).execute();
}

export async function listAgents(tx: Tx, actor: ScanActor): Promise<AgentView[]> {
  const rows = await tx
    .selectFrom("agents")
    .selectAll()
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("name")
    .execute();
  return rows.map(toAgentView);
}

export async function listVersions(tx: Tx, actor: ScanActor, agentId: string): Promise<AgentVersionView[]> {
  const agent = await findAgent(tx, actor, agentId);
  const rows = await tx
    .selectFrom("agent_versions")
    .selectAll()
    .where("agent_id", "=", agent.id)
    .where("tenant_id", "=", agent.tenant_id)
    .orderBy("version", "desc")
    .execute();
  return rows.map(toVersionView);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Field by field: objects are walked, anything else (arrays too) is compared whole. */
export function diffSpecs(from: unknown, to: unknown, path: string[] = []): SpecChange[] {
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((key) => diffSpecs(from[key], to[key], [...path, key]));
  }
  if (stableJson(from) === stableJson(to)) return [];
  return [{ path: path.join(".") || "spec", from, to }];
}

export async function versionDiff(
  tx: Tx,
  actor: ScanActor,
  input: { agentId: string; from: number; to: number },
) {
  const agent = await findAgent(tx, actor, input.agentId);
  const [from, to] = [await findVersion(tx, agent, input.from), await findVersion(tx, agent, input.to)];
  return { from: from.version, to: to.version, changes: diffSpecs(from.spec, to.spec) };
}

/** The published version a run or preview uses: the given one, or the agent's current version. */
export async function runnableVersion(tx: Tx, agent: AgentRow, version?: number) {
  const number = version ?? agent.current_version;
  if (number === null)
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Agent ${agent.name} is a draft that was never published; publish it first`,
    );
  const row = await findVersion(tx, agent, number);
  return { version: row.version, spec: parseSpec(row.spec, `version ${row.version} spec`) };
}

/** BAD_REQUEST with every problem when `input` does not fit the version's input schema. */
export function checkRunInput(spec: AgentSpec, version: number, input: unknown) {
  const problems = agentInputProblems(spec, input);
  if (problems)
    throw new DomainError(
      "BAD_REQUEST",
      `input does not match the input schema of version ${version}: ${problems}`,
      { input: [problems] },
    );
}

/** Exactly the first model call a run of that version with that input sends. */
export async function previewPrompt(
  tx: Tx,
  actor: ScanActor,
  input: { agentId: string; version?: number | undefined; input: Record<string, unknown> },
): Promise<AgentPrompt> {
  const agent = await findAgent(tx, actor, input.agentId);
  const { version, spec } = await runnableVersion(tx, agent, input.version);
  checkRunInput(spec, version, input.input);
  return buildAgentPrompt({ name: agent.name, version, spec }, input.input);
}

/** How many recent ended runs decide an agent's health. */
const HEALTH_WINDOW = 10;

/** When a schedule runs the agent next: the earliest enabled schedule's slot (null if paused or none). */
async function nextRunAt(tx: Tx, agent: AgentRow): Promise<string | null> {
  if (agent.status !== "published") return null;
  const next = await tx
    .selectFrom("agent_schedules")
    .select(["next_run_at", "timezone"])
    .where("agent_id", "=", agent.id)
    .where("tenant_id", "=", agent.tenant_id)
    .where("enabled", "=", true)
    .where("next_run_at", "is not", null)
    .orderBy("next_run_at")
    .limit(1)
    .executeTakeFirst();
  return next?.next_run_at ? formatInZone(next.next_run_at, next.timezone) : null;
}

export async function agentStatus(tx: Tx, actor: ScanActor, agentId: string) {
  const agent = await findAgent(tx, actor, agentId);
  const lastRun = await tx
    .selectFrom("agent_runs")
    .selectAll()
    .where("agent_id", "=", agent.id)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  const grouped = await tx
    .selectFrom("agent_runs")
    .select((eb) => ["status", eb.fn.countAll<string>().as("count")])
    .where("agent_id", "=", agent.id)
    .groupBy("status")
    .execute();
  const counts = Object.fromEntries(AGENT_RUN_STATUSES.map((status) => [status, 0])) as Record<
    AgentRunStatus,
    number
  >;
  for (const row of grouped) counts[row.status] = Number(row.count);
  const ended = await tx
    .selectFrom("agent_runs")
    .select("status")
    .where("agent_id", "=", agent.id)
    .where("ended_at", "is not", null)
    .orderBy("ended_at", "desc")
    .limit(HEALTH_WINDOW)
    .execute();
  const failed = (status: AgentRunStatus) => status === "failed" || status === "budget_exceeded";
  // A missed slot is a run that should have happened and did not: never healthy, though not failing.
  const degrading = (status: AgentRunStatus) => failed(status) || status === "missed";
  const health: (typeof AGENT_HEALTHS)[number] =
    ended.length === 0
      ? "unknown"
      : failed(ended[0]!.status)
        ? "failing"
        : ended.some((run) => degrading(run.status))
          ? "degraded"
          : "healthy";
  return {
    lastRun: lastRun ? toRunView(lastRun) : null,
    counts,
    nextRunAt: await nextRunAt(tx, agent),
    health,
  };
}
