import {
  agentTriggerListSchema,
  agentTriggerSchema,
  createTriggerInput,
  deletedTriggerSchema,
  listFiringsInput,
  listTriggersInput,
  triggerFiringListSchema,
  triggerRefInput,
  updateTriggerInput,
} from "../domain/agents/triggers.schemas";
import {
  createTrigger,
  deleteTrigger,
  getTrigger,
  listFirings,
  listTriggers,
  updateTrigger,
} from "../domain/agents/triggers";
import { scanActorOf } from "../domain/scans/service";
import { requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));

/** Event triggers: an agent runs once per matching event of its tenant (the worker starts the runs). */
export const agentTriggerRouter = router({
  list: tenantProcedure
    .input(listTriggersInput)
    .output(agentTriggerListSchema)
    .query(({ ctx, input }) => listTriggers(ctx.tx, scanActorOf(ctx), input.agentId)),

  get: tenantProcedure
    .input(triggerRefInput)
    .output(agentTriggerSchema)
    .query(({ ctx, input }) => getTrigger(ctx.tx, scanActorOf(ctx), input.triggerId)),

  create: writeProcedure
    .input(createTriggerInput)
    .output(agentTriggerSchema)
    .mutation(async ({ ctx, input }) => {
      const trigger = await createTrigger(ctx.tx, scanActorOf(ctx), input);
      ctx.audit.target = `agent_trigger:${trigger.id}`;
      return trigger;
    }),

  update: writeProcedure
    .input(updateTriggerInput)
    .output(agentTriggerSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent_trigger:${input.triggerId}`;
      return updateTrigger(ctx.tx, scanActorOf(ctx), input);
    }),

  delete: writeProcedure
    .input(triggerRefInput)
    .output(deletedTriggerSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `agent_trigger:${input.triggerId}`;
      await deleteTrigger(ctx.tx, scanActorOf(ctx), input.triggerId);
      return { deleted: true as const };
    }),

  /** The events the trigger acted on, newest first: the run each started, or why none. */
  firings: tenantProcedure
    .input(listFiringsInput)
    .output(triggerFiringListSchema)
    .query(({ ctx, input }) => listFirings(ctx.tx, scanActorOf(ctx), input)),
});
