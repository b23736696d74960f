import { z } from "zod";
import {
  agentStatus,
  changeAgentStatus,
  createAgent,
  deleteAgent,
  findAgent,
  listAgents,
  listTemplates,
  listVersions,
  previewPrompt,
  publishAgent,
  toAgentView,
  updateDraft,
  versionDiff,
} from "../domain/agents/agents";
import {
  agentRefInput,
  agentSchema,
  agentStatusSchema,
  agentTemplateSchema,
  agentVersionSchema,
  createAgentInput,
  previewPromptInput,
  promptPreviewSchema,
  updateDraftInput,
  versionDiffInput,
  versionDiffSchema,
} from "../domain/agents/agents.schemas";
import { scanActorOf } from "../domain/scans/service";
import { requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));

/** pause, resume and archive: the same shape, one status change each. */
const statusChange = (change: "pause" | "resume" | "archive") =>
  writeProcedure
    .input(agentRefInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent:${input.agentId}`;
      return changeAgentStatus(ctx.tx, scanActorOf(ctx), input.agentId, change);
    });

export const agentRouter = router({
  /** The templates an agent can start from (`create({ templateId })`). */
  templates: tenantProcedure.output(z.array(agentTemplateSchema)).query(() => listTemplates()),

  list: tenantProcedure.output(z.array(agentSchema)).query(({ ctx }) => listAgents(ctx.tx, scanActorOf(ctx))),

  get: tenantProcedure
    .input(agentRefInput)
    .output(agentSchema)
    .query(async ({ ctx, input }) => toAgentView(await findAgent(ctx.tx, scanActorOf(ctx), input.agentId))),

  /** From a template: published at version 1. From a spec: a draft. */
  create: writeProcedure
    .input(createAgentInput)
    .output(agentSchema)
    .mutation(async ({ ctx, input }) => {
      const agent = await createAgent(ctx.tx, scanActorOf(ctx), input);
      ctx.audit.target = `agent:${agent.id}`;
      return agent;
    }),

  updateDraft: writeProcedure
    .input(updateDraftInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent:${input.agentId}`;
      return updateDraft(ctx.tx, scanActorOf(ctx), input);
    }),

  /** Validates the draft and pins it as the next immutable version. */
  publish: writeProcedure
    .input(agentRefInput)
    .output(z.object({ version: z.number() }))
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent:${input.agentId}`;
      return publishAgent(ctx.tx, scanActorOf(ctx), input.agentId);
    }),

  pause: statusChange("pause"),
  resume: statusChange("resume"),
  archive: statusChange("archive"),

  /** Removes the agent with its versions, runs and steps (refused while a run is active). */
  delete: writeProcedure
    .input(agentRefInput)
    .output(z.object({ deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `agent:${input.agentId}`;
      await deleteAgent(ctx.tx, scanActorOf(ctx), input.agentId);
      return { deleted: true as const };
    }),

  versions: tenantProcedure
    .input(agentRefInput)
    .output(z.array(agentVersionSchema))
    .query(({ ctx, input }) => listVersions(ctx.tx, scanActorOf(ctx), input.agentId)),

  /** Field by field, what changed in the spec from one version to another. */
  versionDiff: tenantProcedure
    .input(versionDiffInput)
    .output(versionDiffSchema)
    .query(({ ctx, input }) => versionDiff(ctx.tx, scanActorOf(ctx), input)),

  /** Last run, runs by status, next scheduled run and health. */
  status: tenantProcedure
    .input(agentRefInput)
    .output(agentStatusSchema)
    .query(({ ctx, input }) => agentStatus(ctx.tx, scanActorOf(ctx), input.agentId)),

  /** Exactly the messages and tools the first model call of a run with this input sends. */
  previewPrompt: tenantProcedure
    .input(previewPromptInput)
    .output(promptPreviewSchema)
    .query(({ ctx, input }) => previewPrompt(ctx.tx, scanActorOf(ctx), input)),
});
