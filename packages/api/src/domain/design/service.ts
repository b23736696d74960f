import type { AgentSpec } from "@techscaniq/contracts/agents";
import {
  buildAgentPrompt,
  CapabilityModelError,
  compileDesign,
  DesignAnalysis,
  designFromModel,
  designFromText,
  designInteractions,
  parseCapabilityModel,
  type AgentPrompt,
  type CompiledAgent,
  type DesignInteraction,
} from "@techscaniq/contracts/agents";
import { randomUUID } from "node:crypto";
import { sql, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { ObjectStorage } from "@techscaniq/db/storage";
import type { DesignSessions } from "@techscaniq/db/schema";
import { z } from "zod";
import { DomainError } from "../../errors";
import { checkRunInput, createAgent, publishAgent } from "../agents/agents";
import type { ScanActor } from "../scans/service";
import {
  designSessionSchema,
  designSessionSummarySchema,
  type DesignSessionView,
  type ImageAnalysis,
  IMAGE_MAX_BYTES,
} from "./design.schemas";

/**
 * The design wizard's steps. Each step is one call that validates what the person edited, computes its
 * output with the deterministic designer in contracts, and stores it in the session; a step that fails
 * changes nothing (the request's transaction rolls back).
 */

type Tx = Transaction<Database>;
type SessionRow = Selectable<DesignSessions>;

function toView(row: SessionRow): DesignSessionView {
  return designSessionSchema.parse({
    id: row.id,
    title: row.title,
    source: row.source,
    sourceName: row.source_name,
    image: row.image_status ? { status: row.image_status, error: row.image_error } : null,
    requirements: row.requirements,
    analysis: row.analysis,
    interactions: row.interactions,
    compiled: row.compiled,
    createdAgentIds: row.created_agent_ids,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  });
}

async function loadSession(tx: Tx, actor: ScanActor, sessionId: string): Promise<SessionRow> {
  const row = await tx
    .selectFrom("design_sessions")
    .selectAll()
    .where("tenant_id", "=", actor.tenantId)
    .where("id", "=", sessionId)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "No such design session in this tenant");
  return row;
}

function requireAgents(analysis: DesignAnalysis, from: string): DesignAnalysis {
  if (analysis.agents.length === 0)
    throw new DomainError(
      "BAD_REQUEST",
      `No due-diligence capability found in ${from}: describe what to watch or check, e.g. a portfolio's ` +
        "technology stack, security regressions, an investment thesis or a vendor's security posture",
    );
  return analysis;
}

async function startSession(
  tx: Tx,
  actor: ScanActor,
  values: { title: string; source: "text" | "model"; sourceName: string | null; requirements: string },
  analysis: DesignAnalysis,
): Promise<DesignSessionView> {
  const row = await tx
    .insertInto("design_sessions")
    .values({
      tenant_id: actor.tenantId,
      title: values.title,
      source: values.source,
      source_name: values.sourceName,
      requirements: values.requirements,
      analysis: JSON.stringify(analysis),
      created_by: actor.userId,
      updated_by: actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(row);
}

/** A diagram's session before the model's analysis arrives. */
const EMPTY_ANALYSIS: DesignAnalysis = { capabilities: [], agents: [], relations: [] };

const titleFrom = (text: string) => {
  const line = text.split("\n")[0]!.trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};

export function analyzeText(
  tx: Tx,
  actor: ScanActor,
  input: { title?: string | undefined; text: string },
): Promise<DesignSessionView> {
  const analysis = requireAgents(designFromText(input.text), "the text");
  return startSession(
    tx,
    actor,
    {
      title: input.title ?? titleFrom(input.text),
      source: "text",
      sourceName: null,
      requirements: input.text,
    },
    analysis,
  );
}

export function analyzeModel(
  tx: Tx,
  actor: ScanActor,
  input: { title?: string | undefined; fileName: string; content: string },
): Promise<DesignSessionView> {
  let analysis: DesignAnalysis;
  try {
    analysis = designFromModel(parseCapabilityModel(input.fileName, input.content));
  } catch (error) {
    if (error instanceof CapabilityModelError)
      throw new DomainError("BAD_REQUEST", `content: ${error.message}`, { content: [error.message] });
    throw error;
  }
  return startSession(
    tx,
    actor,
    { title: input.title ?? input.fileName, source: "model", sourceName: input.fileName, requirements: "" },
    requireAgents(analysis, input.fileName),
  );
}

const IMAGE_SIGNATURES: { mediaType: ImageAnalysis["mediaType"]; matches: (bytes: Buffer) => boolean }[] = [
  {
    mediaType: "image/png",
    matches: (bytes) =>
      bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    mediaType: "image/jpeg",
    matches: (bytes) => bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
  },
  {
    mediaType: "image/webp",
    matches: (bytes) =>
      bytes.subarray(0, 4).toString("latin1") === "RIFF" &&
      bytes.subarray(8, 12).toString("latin1") === "WEBP",
  },
];

/**
 * Checks a diagram by its bytes (not its name). The API never calls models and cannot know the worker's
 * own keys: the image is stored under the tenant's prefix and a session is started whose analysis the
 * worker's design.analyze_image job writes (the caller polls design.get). The worker picks the model
 * (tenant key, operator-assigned key, its deployment key) or records plainly that none reads images.
 * A refused image stores nothing.
 */
export async function analyzeImage(
  tx: Tx,
  actor: ScanActor,
  storage: ObjectStorage,
  input: { title?: string | undefined; fileName: string; contentBase64: string },
): Promise<ImageAnalysis> {
  const bytes = Buffer.from(input.contentBase64, "base64");
  if (bytes.length > IMAGE_MAX_BYTES)
    throw new DomainError("BAD_REQUEST", "contentBase64: the image is larger than 10 MB", {
      contentBase64: ["the image is larger than 10 MB"],
    });
  const kind = IMAGE_SIGNATURES.find((signature) => signature.matches(bytes));
  if (!kind)
    throw new DomainError(
      "BAD_REQUEST",
      `contentBase64: ${input.fileName} is not a PNG, JPEG or WebP image`,
      {
        contentBase64: ["is not a PNG, JPEG or WebP image"],
      },
    );
  const sessionId = randomUUID();
  const imagePath = `${actor.tenantId}/design/${sessionId}.${kind.mediaType.split("/")[1]}`;
  await tx
    .insertInto("design_sessions")
    .values({
      id: sessionId,
      tenant_id: actor.tenantId,
      title: input.title ?? input.fileName,
      source: "image",
      source_name: input.fileName,
      analysis: JSON.stringify(EMPTY_ANALYSIS),
      image_path: imagePath,
      image_status: "analysing",
      created_by: actor.userId,
      updated_by: actor.userId,
    })
    .execute();
  await sql`select private.enqueue_design_image_job(${sessionId}::uuid)`.execute(tx);
  // Stored last: a session or job that fails to be written leaves no image behind.
  await storage.put({ bucket: "artifacts", path: imagePath }, bytes, { contentType: kind.mediaType });
  return {
    analyzed: false,
    sessionId,
    mediaType: kind.mediaType,
    bytes: bytes.length,
    message: "Analysing the diagram with a vision-capable model…",
  };
}

export async function generateInteractions(
  tx: Tx,
  actor: ScanActor,
  input: { sessionId: string; analysis?: DesignAnalysis | undefined },
): Promise<DesignSessionView> {
  const session = await loadSession(tx, actor, input.sessionId);
  const analysis = requireAgents(input.analysis ?? DesignAnalysis.parse(session.analysis), "the analysis");
  const row = await tx
    .updateTable("design_sessions")
    .set({
      analysis: JSON.stringify(analysis),
      interactions: JSON.stringify(designInteractions(analysis)),
      compiled: null, // compiled from an older analysis
      updated_by: actor.userId,
    })
    .where("id", "=", session.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(row);
}

export async function compile(
  tx: Tx,
  actor: ScanActor,
  input: { sessionId: string; interactions?: DesignInteraction[] | undefined },
): Promise<DesignSessionView> {
  const session = toView(await loadSession(tx, actor, input.sessionId));
  const interactions = input.interactions ?? session.interactions;
  if (!interactions)
    throw new DomainError("PRECONDITION_FAILED", "Generate the interactions before compiling");
  const keys = new Set(session.analysis.agents.map((agent) => agent.key));
  const unknown = interactions.flatMap((interaction, index) =>
    [interaction.from, interaction.to]
      .filter((key) => !keys.has(key))
      .map((key) => [`interactions.${index}`, `no proposed agent ${key}`] as const),
  );
  if (unknown.length > 0) throw invalid(unknown);
  const result = compileDesign(session.analysis, interactions);
  if (!result.ok)
    throw invalid(result.errors.map((error) => [`${error.agent}.${error.path}`, error.message]));
  const row = await tx
    .updateTable("design_sessions")
    .set({
      interactions: JSON.stringify(interactions),
      compiled: JSON.stringify(result.agents),
      updated_by: actor.userId,
    })
    .where("id", "=", session.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(row);
}

/** Every validation problem by field, in one BAD_REQUEST: nothing is saved half-valid. */
function invalid(problems: readonly (readonly [string, string])[]): DomainError {
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, message] of problems) (fieldErrors[field] ??= []).push(message);
  return new DomainError(
    "BAD_REQUEST",
    "The design does not compile into valid agents: " +
      problems.map(([field, message]) => `${field}: ${message}`).join("; "),
    fieldErrors,
  );
}

function compiledAgent(session: DesignSessionView, agentKey: string): CompiledAgent {
  if (!session.compiled) throw new DomainError("PRECONDITION_FAILED", "Compile the design first");
  const agent = session.compiled.find((candidate) => candidate.key === agentKey);
  if (!agent) throw new DomainError("NOT_FOUND", `No compiled agent ${agentKey} in this session`);
  return agent;
}

/** The exact first model call a run of the compiled agent (as version 1) would send. */
export async function promptPreview(
  tx: Tx,
  actor: ScanActor,
  input: {
    sessionId: string;
    agentKey: string;
    spec?: AgentSpec | undefined;
    input: Record<string, unknown>;
  },
): Promise<AgentPrompt> {
  const agent = compiledAgent(toView(await loadSession(tx, actor, input.sessionId)), input.agentKey);
  const spec = input.spec ?? agent.spec;
  checkRunInput(spec, 1, input.input);
  return buildAgentPrompt({ name: agent.name, version: 1, spec }, input.input);
}

/** A compiled agent (with the person's edits) as a new agent, published at version 1. */
export async function createAgentFromDesign(
  tx: Tx,
  actor: ScanActor,
  input: { sessionId: string; agentKey: string; name?: string | undefined; spec?: AgentSpec | undefined },
): Promise<{ agentId: string; version: number }> {
  const session = toView(await loadSession(tx, actor, input.sessionId));
  const agent = compiledAgent(session, input.agentKey);
  const draft = await createAgent(tx, actor, {
    name: input.name ?? agent.name,
    description: agent.description,
    spec: input.spec ?? agent.spec,
  });
  const { version } = await publishAgent(tx, actor, draft.id);
  await tx
    .updateTable("design_sessions")
    .set({ created_agent_ids: [...session.createdAgentIds, draft.id], updated_by: actor.userId })
    .where("id", "=", session.id)
    .execute();
  return { agentId: draft.id, version };
}

export async function getSession(tx: Tx, actor: ScanActor, sessionId: string): Promise<DesignSessionView> {
  return toView(await loadSession(tx, actor, sessionId));
}

export async function listSessions(tx: Tx, actor: ScanActor, limit: number) {
  const rows = await tx
    .selectFrom("design_sessions")
    .select(["id", "title", "source", "created_agent_ids", "updated_at"])
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("updated_at", "desc")
    .limit(limit)
    .execute();
  return z.array(designSessionSummarySchema).parse(
    rows.map((row) => ({
      id: row.id,
      title: row.title,
      source: row.source,
      createdAgentIds: row.created_agent_ids,
      updatedAt: row.updated_at.toISOString(),
    })),
  );
}
