import { z } from "zod";
import {
  analyzeImageInput,
  analyzeModelInput,
  analyzeTextInput,
  compileInput,
  createAgentInput,
  createdAgentSchema,
  designSessionSchema,
  designSessionSummarySchema,
  generateInteractionsInput,
  imageAnalysisSchema,
  listSessionsInput,
  promptPreviewInput,
  sessionRefInput,
} from "../domain/design/design.schemas";
import {
  analyzeImage,
  analyzeModel,
  analyzeText,
  compile,
  createAgentFromDesign,
  generateInteractions,
  getSession,
  listSessions,
  promptPreview,
} from "../domain/design/service";
import { promptPreviewSchema } from "../domain/agents/agents.schemas";
import { scanActorOf } from "../domain/scans/service";
import { requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));

/**
 * The agent design wizard: analyse (text, capability model, diagram), generate interactions, compile,
 * preview the prompt, create the agent. Each step is its own call, stored in a design session.
 */
export const designRouter = router({
  analyzeText: writeProcedure
    .input(analyzeTextInput)
    .output(designSessionSchema)
    .mutation(async ({ ctx, input }) => {
      const session = await analyzeText(ctx.tx, scanActorOf(ctx), input);
      ctx.audit.target = `design_session:${session.id}`;
      return session;
    }),

  analyzeModel: writeProcedure
    .input(analyzeModelInput)
    .output(designSessionSchema)
    .mutation(async ({ ctx, input }) => {
      const session = await analyzeModel(ctx.tx, scanActorOf(ctx), input);
      ctx.audit.target = `design_session:${session.id}`;
      return session;
    }),

  analyzeImage: writeProcedure
    .input(analyzeImageInput)
    .output(imageAnalysisSchema)
    .mutation(async ({ ctx, input }) => {
      const answer = await analyzeImage(ctx.tx, scanActorOf(ctx), ctx.storage, input);
      ctx.audit.target = `design_session:${answer.sessionId}`;
      return answer;
    }),

  generateInteractions: writeProcedure
    .input(generateInteractionsInput)
    .output(designSessionSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `design_session:${input.sessionId}`;
      return generateInteractions(ctx.tx, scanActorOf(ctx), input);
    }),

  compile: writeProcedure
    .input(compileInput)
    .output(designSessionSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `design_session:${input.sessionId}`;
      return compile(ctx.tx, scanActorOf(ctx), input);
    }),

  promptPreview: tenantProcedure
    .input(promptPreviewInput)
    .output(promptPreviewSchema)
    .query(({ ctx, input }) => promptPreview(ctx.tx, scanActorOf(ctx), input)),

  createAgent: writeProcedure
    .input(createAgentInput)
    .output(createdAgentSchema)
    .mutation(async ({ ctx, input }) => {
      const created = await createAgentFromDesign(ctx.tx, scanActorOf(ctx), input);
      ctx.audit.target = `agent:${created.agentId}`;
      return created;
    }),

  get: tenantProcedure
    .input(sessionRefInput)
    .output(designSessionSchema)
    .query(({ ctx, input }) => getSession(ctx.tx, scanActorOf(ctx), input.sessionId)),

  list: tenantProcedure
    .input(listSessionsInput)
    .output(z.array(designSessionSummarySchema))
    .query(({ ctx, input }) => listSessions(ctx.tx, scanActorOf(ctx), input?.limit ?? 20)),
});
