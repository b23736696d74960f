import {
  AGENT_RUN_STATUSES,
  AGENT_RUN_TRIGGERS,
  AgentRunStatus,
  AgentRunTrigger,
  AgentSpec,
  AgentStatus,
  AgentStepKind,
  AGENT_TOOL_NAMES,
} from "@techscaniq/contracts/agents";
import { z } from "zod";
import { idSchema, pageOutput } from "../../schemas";

/** Inputs and outputs of the `agent` and `agentRun` routers. */

const isoDateTimeOffset = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2026-12-08T09:00:00Z" })
  .transform((text) => new Date(text));

export const agentIdSchema = idSchema("an agent");
export const runIdSchema = idSchema("an agent run");

const agentName = z
  .string({ error: "name must be text" })
  .trim()
  .min(1, "name is required")
  .max(100, "name is longer than 100 characters");
const agentDescription = z.string().trim().max(2000, "description is longer than 2000 characters");
/** A run's input: a JSON object, checked against the version's input schema by the service. */
const runInput = z.record(z.string(), z.unknown(), { error: "input must be a JSON object" });

export const agentRefInput = z.object({ agentId: agentIdSchema }).strict();
export const runRefInput = z.object({ runId: runIdSchema }).strict();

/** From a template (published at version 1) or from a spec (a draft): exactly one of the two. */
export const createAgentInput = z
  .object({
    name: agentName,
    description: agentDescription.optional(),
    templateId: z.string().trim().min(1).max(64).optional(),
    spec: z.unknown().optional(),
  })
  .strict()
  .refine((input) => (input.templateId === undefined) !== (input.spec === undefined), {
    message: "give either templateId (one of agent.templates) or spec, not both and not neither",
    path: ["templateId"],
  });

export const updateDraftInput = z
  .object({
    agentId: agentIdSchema,
    name: agentName.optional(),
    description: agentDescription.optional(),
    /** A whole spec, validated with AgentSpec by the service (its issues come back with their paths). */
    spec: z.unknown().optional(),
  })
  .strict();

export const versionDiffInput = z
  .object({
    agentId: agentIdSchema,
    from: z.number().int().min(1),
    to: z.number().int().min(1),
  })
  .strict();

export const previewPromptInput = z
  .object({
    agentId: agentIdSchema,
    /** The agent's current published version when absent. */
    version: z.number().int().min(1).optional(),
    input: runInput,
  })
  .strict();

export const triggerRunInput = z.object({ agentId: agentIdSchema, input: runInput }).strict();

export const listRunsInput = z
  .object({
    agentId: agentIdSchema.optional(),
    status: z
      .union([AgentRunStatus, z.array(AgentRunStatus).min(1).max(AGENT_RUN_STATUSES.length)])
      .optional(),
    trigger: z
      .union([AgentRunTrigger, z.array(AgentRunTrigger).min(1).max(AGENT_RUN_TRIGGERS.length)])
      .optional(),
    /** Runs requested at or after this instant (ISO 8601 with offset). */
    from: isoDateTimeOffset.optional(),
    /** Runs requested before this instant. */
    to: isoDateTimeOffset.optional(),
    limit: z.number().int().min(1).max(100).default(20),
    /** The `nextCursor` of the previous page. */
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .refine((input) => !input.from || !input.to || input.from < input.to, {
    message: "from must be before to",
    path: ["from"],
  });

export const decideRunInput = z
  .object({
    runId: runIdSchema,
    note: z.string().trim().max(2000, "note is longer than 2000 characters").optional(),
  })
  .strict();

export const runProgressInput = z
  .object({
    runId: runIdSchema,
    /** Resume after this event id (also sent automatically by httpSubscriptionLink on reconnect). */
    lastEventId: z
      .string()
      .regex(/^\d{1,19}$/, "must be an event id")
      .nullish(),
  })
  .strict();

// ---------------------------------------------------------------- outputs

export const agentTemplateSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  spec: AgentSpec,
});

export const agentSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  name: z.string(),
  description: z.string(),
  status: AgentStatus,
  currentVersion: z.number().nullable(),
  draftSpec: AgentSpec,
  createdBy: z.uuid().nullable(),
  updatedBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AgentView = z.output<typeof agentSchema>;

export const agentVersionSchema = z.object({
  version: z.number(),
  spec: AgentSpec,
  template: z.string().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
});
export type AgentVersionView = z.output<typeof agentVersionSchema>;

export const specChangeSchema = z.object({
  /** Dotted path of the changed field, e.g. `budget.maxUsd`; arrays are compared whole. */
  path: z.string(),
  /** Absent (undefined) when the field is new in `to`. */
  from: z.unknown(),
  /** Absent (undefined) when the field was removed in `to`. */
  to: z.unknown(),
});
export type SpecChange = z.infer<typeof specChangeSchema>;

export const versionDiffSchema = z.object({
  from: z.number(),
  to: z.number(),
  changes: z.array(specChangeSchema),
});

/** A run's output as the worker writes it. */
export const runOutputSchema = z.looseObject({
  summary: z.string(),
  results: z.array(z.looseObject({ tool: z.string(), input: z.unknown(), output: z.unknown() })),
  actions: z.array(
    z.looseObject({ action: z.string(), title: z.string(), body: z.string(), state: z.string() }),
  ),
});

export const agentRunSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  agentId: z.uuid(),
  agentVersion: z.number(),
  trigger: AgentRunTrigger,
  input: z.record(z.string(), z.unknown()),
  status: AgentRunStatus,
  output: runOutputSchema.nullable(),
  error: z.string().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  priceTableVersion: z.string().nullable(),
  retryOf: z.uuid().nullable(),
  /** The event that started a run triggered by an event (trigger `event`); null otherwise. */
  event: z.object({ id: z.string(), type: z.string().nullable() }).nullable(),
  cancelRequestedAt: z.string().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** The schedule whose slot this run is (null otherwise, or once the schedule is deleted). */
  scheduleId: z.uuid().nullable(),
  /** The schedule slot (ISO instant) the run is for. */
  slotAt: z.string().nullable(),
  /** A slot run late, after downtime, within the schedule's catch-up window. */
  backfilled: z.boolean(),
  /** Why a skipped or missed run did not run (`overlap`, or the downtime beyond the catch-up window). */
  skipReason: z.string().nullable(),
});
export type AgentRunView = z.output<typeof agentRunSchema>;

export const agentRunStepSchema = z.object({
  id: z.string(),
  seq: z.number(),
  kind: AgentStepKind,
  name: z.string(),
  request: z.unknown(),
  response: z.unknown(),
  status: z.enum(["running", "ok", "error", "cancelled", "waiting", "approved", "rejected"]),
  error: z.string().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  decidedBy: z.uuid().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type AgentRunStepView = z.output<typeof agentRunStepSchema>;

export const runListSchema = pageOutput(agentRunSchema);

export const AGENT_HEALTHS = ["unknown", "healthy", "degraded", "failing"] as const;

export const agentStatusSchema = z.object({
  lastRun: agentRunSchema.nullable(),
  /** Runs of the agent by status (every status present, 0 when none). */
  counts: z.record(AgentRunStatus, z.number()),
  /** When a schedule runs the agent next (the earliest enabled schedule's slot, with its zone's offset). */
  nextRunAt: z.string().nullable(),
  /**
   * From the last ended runs: unknown (none yet), healthy (none failed), failing (the latest failed or
   * ran out of budget), degraded (some failed, the latest did not).
   */
  health: z.enum(AGENT_HEALTHS),
});

export const promptPreviewSchema = z.object({
  messages: z.array(
    z.object({
      role: z.enum(["system", "user", "assistant", "tool"]),
      content: z.string(),
      toolCallId: z.string().optional(),
      toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
    }),
  ),
  tools: z.array(
    z.object({
      name: z.enum(AGENT_TOOL_NAMES),
      description: z.string(),
      parameters: z.record(z.string(), z.unknown()),
    }),
  ),
});

export const runEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  runId: z.string(),
  createdAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const agentTemplatesSchema = z.array(agentTemplateSchema);
export const agentListSchema = z.array(agentSchema);
export const agentVersionsSchema = z.array(agentVersionSchema);
export const agentRunStepsSchema = z.array(agentRunStepSchema);
export const publishedVersionSchema = z.object({ version: z.number() });
export const deletedAgentSchema = z.object({ deleted: z.literal(true) });
