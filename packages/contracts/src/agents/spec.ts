import { z } from "zod";
import { TenantProvider } from "../ai";
import { AgentToolName, AGENT_TOOLS } from "./tools";

/**
 * An agent's spec: what one immutable agent version runs. Drafts hold a spec that is edited freely;
 * publishing pins it as a version, and a run always records the version it ran.
 */

export const AGENT_STATUSES = ["draft", "published", "paused", "archived"] as const;
export const AgentStatus = z.enum(AGENT_STATUSES);
export type AgentStatus = z.infer<typeof AgentStatus>;

/** suggest: draft external actions for a person; approve: pause for approval before any; act: carry them out. */
export const AGENT_AUTONOMIES = ["suggest", "approve", "act"] as const;
export const AgentAutonomy = z.enum(AGENT_AUTONOMIES);
export type AgentAutonomy = z.infer<typeof AgentAutonomy>;

export const AGENT_RUN_STATUSES = [
  "queued",
  "running",
  "waiting_approval",
  "succeeded",
  "failed",
  "cancelled",
  "budget_exceeded",
  // A schedule's slot that did not run: overlap policy (skipped), outside the catch-up window (missed).
  "skipped",
  "missed",
] as const;
export const AgentRunStatus = z.enum(AGENT_RUN_STATUSES);
export type AgentRunStatus = z.infer<typeof AgentRunStatus>;
export const TERMINAL_AGENT_RUN_STATUSES = [
  "succeeded",
  "failed",
  "cancelled",
  "budget_exceeded",
  "skipped",
  "missed",
] as const;

export const AGENT_RUN_TRIGGERS = ["manual", "schedule", "event", "api"] as const;
export const AgentRunTrigger = z.enum(AGENT_RUN_TRIGGERS);
export type AgentRunTrigger = z.infer<typeof AgentRunTrigger>;

export const AGENT_STEP_KINDS = ["model_call", "tool_call", "approval"] as const;
export const AgentStepKind = z.enum(AGENT_STEP_KINDS);
export type AgentStepKind = z.infer<typeof AgentStepKind>;

const JSON_SCHEMA_MAX_CHARS = 20_000;

/**
 * The input schema of an agent: a JSON Schema of an object (so a run's input is a JSON object), small
 * enough to show, and one that zod can turn into a validator.
 */
export const AgentInputSchema = z
  .record(z.string(), z.unknown())
  .refine((schema) => schema.type === "object", 'inputSchema must be a JSON Schema with "type": "object"')
  .refine(
    (schema) => JSON.stringify(schema).length <= JSON_SCHEMA_MAX_CHARS,
    `inputSchema must be at most ${JSON_SCHEMA_MAX_CHARS} characters of JSON`,
  )
  .superRefine((schema, ctx) => {
    try {
      z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `inputSchema is not a JSON Schema that can be checked: ${(error as Error).message}`,
      });
    }
  });

/**
 * A reference inside a plan step's input: `"{{input.urls}}"` is the run input's `urls`, `"{{item}}"` the
 * element a `forEach` step is on, `"{{steps.scan_url.scanId}}"` a field of the latest output of an earlier
 * step's tool. Only whole-string references: no string building, so a value from a scanned page can never
 * turn into a different reference.
 */
const REFERENCE = /^\{\{((?:input|item|steps)(?:\.[A-Za-z_]\w*)*)\}\}$/;

export const AgentPlanStep = z
  .object({
    tool: AgentToolName,
    /** The tool's input; strings that are whole references are replaced before the call. */
    input: z.record(z.string(), z.unknown()),
    /** Input field (a dotted path in the run input) holding an array: the step runs once per element. */
    forEach: z
      .string()
      .regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, "forEach must name an input field, e.g. urls")
      .optional(),
  })
  .strict();
export type AgentPlanStep = z.infer<typeof AgentPlanStep>;

export const AgentModelRoute = z
  .object({
    /** `tenant` follows the tenant's AI settings; otherwise one provider for every model call of the agent. */
    provider: z.union([z.literal("tenant"), TenantProvider]).default("tenant"),
    model: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export const AgentBudget = z
  .object({
    maxTokens: z.number().int().min(1).max(5_000_000).default(100_000),
    maxUsd: z.number().min(0).max(1000).default(1),
  })
  .strict();

export const AgentOutputs = z
  .object({
    report: z.boolean().default(true),
    findings: z.boolean().default(true),
    /** Integration actions the agent may propose, by name (e.g. `jira.create_issue`, `webhook.post`). */
    actions: z
      .array(
        z.string().regex(/^[a-z][a-z0-9_.-]{1,63}$/, "an action name is lower-case, e.g. jira.create_issue"),
      )
      .max(20)
      .default([]),
  })
  .strict();

export const AgentSpec = z
  .object({
    instructions: z.string().trim().min(1, "instructions must not be empty").max(20_000),
    inputSchema: AgentInputSchema,
    tools: z
      .array(AgentToolName)
      .min(1, "an agent needs at least one tool")
      .max(Object.keys(AGENT_TOOLS).length),
    modelRoute: AgentModelRoute.default({ provider: "tenant" }),
    outputs: AgentOutputs.default({ report: true, findings: true, actions: [] }),
    autonomy: AgentAutonomy.default("suggest"),
    budget: AgentBudget.default({ maxTokens: 100_000, maxUsd: 1 }),
    /** Model ↔ tool rounds a run may take before it stops. */
    maxSteps: z.number().int().min(1).max(200).default(40),
    /** What the offline runner executes, in order, when no model is configured. */
    plan: z.array(AgentPlanStep).max(50).default([]),
    /** The template the agent was made from, if any. */
    template: z.string().max(64).nullable().default(null),
  })
  .strict()
  .superRefine((spec, ctx) => {
    spec.plan.forEach((step, index) => {
      if (!spec.tools.includes(step.tool))
        ctx.addIssue({
          code: "custom",
          path: ["plan", index, "tool"],
          message: `plan step ${index + 1} uses ${step.tool}, which is not in the agent's tools`,
        });
    });
    if (spec.outputs.actions.length > 0 && !spec.tools.includes("propose_action"))
      ctx.addIssue({
        code: "custom",
        path: ["outputs", "actions"],
        message: "actions are declared but the agent cannot use propose_action",
      });
  });
export type AgentSpec = z.output<typeof AgentSpec>;
export type AgentSpecInput = z.input<typeof AgentSpec>;

/** Why `input` does not fit the agent's input schema (one line per problem), or null when it fits. */
export function agentInputProblems(spec: Pick<AgentSpec, "inputSchema">, input: unknown): string | null {
  const result = z.fromJSONSchema(spec.inputSchema as z.core.JSONSchema.JSONSchema).safeParse(input);
  if (result.success) return null;
  return result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "input"}: ${issue.message}`)
    .join("; ");
}

/**
 * Resolves the whole-string references of a plan step's input against the run input and the current
 * `forEach` element. Unknown references fail with the path, never resolve to undefined silently.
 */
export interface PlanScope {
  input: unknown;
  item?: unknown;
  /** The latest output of each tool that has run, by tool name. */
  steps?: Record<string, unknown>;
}

export function resolvePlanInput(value: unknown, scope: PlanScope): unknown {
  if (typeof value === "string") {
    const match = REFERENCE.exec(value);
    if (!match) return value;
    const [root, ...path] = match[1]!.split(".");
    let current: unknown =
      root === "input" ? scope.input : root === "item" ? scope.item : (scope.steps ?? {});
    for (const key of path) {
      if (current === null || typeof current !== "object" || !(key in current))
        throw new Error(`plan reference ${value} does not exist in the run`);
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  }
  if (Array.isArray(value)) return value.map((element) => resolvePlanInput(element, scope));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, element]) => [key, resolvePlanInput(element, scope)]),
    );
  return value;
}

/** The elements a `forEach` step runs over: the array at the dotted path of the run input. */
export function planItems(step: AgentPlanStep, input: unknown): unknown[] {
  if (!step.forEach) return [undefined];
  const items = resolvePlanInput(`{{input.${step.forEach}}}`, { input });
  if (!Array.isArray(items))
    throw new Error(`plan step forEach ${step.forEach} is not an array in the input`);
  return items;
}
