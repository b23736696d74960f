import { TriggerEventType, TriggerFilter, TriggerInputMap } from "@techscaniq/contracts/agents";
import { z } from "zod";
import { idSchema, pageOutput } from "../../schemas";
import { agentIdSchema } from "./agents.schemas";

/** Inputs and outputs of the `agentTrigger` router. */

export const triggerIdSchema = idSchema("an agent trigger");
const fixedInput = z.record(z.string(), z.unknown(), { error: "input must be a JSON object" });

export const createTriggerInput = z
  .object({
    agentId: agentIdSchema,
    eventType: TriggerEventType,
    filter: TriggerFilter.default([]),
    /** Fixed part of the run's input. */
    input: fixedInput.default({}),
    /** Input field → event path (e.g. `{ "scanId": "data.scanId" }`). */
    inputMap: TriggerInputMap.default({}),
    enabled: z.boolean().default(true),
  })
  .strict();

export const updateTriggerInput = z
  .object({
    triggerId: triggerIdSchema,
    eventType: TriggerEventType.optional(),
    filter: TriggerFilter.optional(),
    input: fixedInput.optional(),
    inputMap: TriggerInputMap.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const triggerRefInput = z.object({ triggerId: triggerIdSchema }).strict();
export const listTriggersInput = z.object({ agentId: agentIdSchema.optional() }).strict();
export const listFiringsInput = z
  .object({
    triggerId: triggerIdSchema,
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const agentTriggerSchema = z.object({
  id: z.uuid(),
  agentId: z.uuid(),
  eventType: TriggerEventType,
  filter: TriggerFilter,
  input: z.record(z.string(), z.unknown()),
  inputMap: TriggerInputMap,
  enabled: z.boolean(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AgentTriggerView = z.output<typeof agentTriggerSchema>;

/** One event the trigger acted on: the run it started, or why none. */
export const triggerFiringSchema = z.object({
  id: z.uuid(),
  eventId: z.string(),
  runId: z.uuid().nullable(),
  depth: z.number(),
  skippedReason: z.string().nullable(),
  createdAt: z.string(),
});

export const agentTriggerListSchema = z.array(agentTriggerSchema);
export const triggerFiringListSchema = pageOutput(triggerFiringSchema);
export const deletedTriggerSchema = z.object({ deleted: z.literal(true) });
