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
import { requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));
const actorUserId = (subject: { kind: "user" | "apiKey"; userId: string | null }) =>
  subject.kind === "user" ? subject.userId : null;

const promptSchema = z.object({
  messages: z.array(
    z.object({
      role: z.enum(["system", "user", "assistant", "tool"]),
      content: z.string(),
      toolCallId: z.string().optional(),
      toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
    }),
  ),
  tools: z.array(
    z.object({ name: z.string(), description: z.string(), parameters: z.record(z.string(), z.unknown()) }),
  ),
});

/**
 * The agent design wizard: analyse (text, capability model, diagram), generate interactions, compile,
 * preview the prompt, create the agent. Each step is its own call, stored in a design session.
 */
export const designRouter = router({
  analyzeText: writeProcedure
    .input(analyzeTextInput)
    .output(designSessionSchema)
    .mutation(async ({ ctx, input }) => {
      const session = await analyzeText(ctx.tx, ctx.tenant, actorUserId(ctx.subject), input);
      ctx.audit.target = `design_session:${session.id}`;
      return session;
    }),

  analyzeModel: writeProcedure
    .input(analyzeModelInput)
    .output(designSessionSchema)
    .mutation(async ({ ctx, input }) => {
      const session = await analyzeModel(ctx.tx, ctx.tenant, actorUserId(ctx.subject), input);
      ctx.audit.target = `design_session:${session.id}`;
      return session;
    }),

  analyzeImage: writeProcedure
    .input(analyzeImageInput)
    .output(imageAnalysisSchema)
    .mutation(({ input }) => analyzeImage(input)),

  generateInteractions: writeProcedure
    .input(generateInteractionsInput)
    .output(designSessionSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `design_session:${input.sessionId}`;
      return generateInteractions(ctx.tx, ctx.tenant, actorUserId(ctx.subject), input);
    }),

  compile: writeProcedure
    .input(compileInput)
    .output(designSessionSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `design_session:${input.sessionId}`;
      return compile(ctx.tx, ctx.tenant, actorUserId(ctx.subject), input);
    }),

  promptPreview: tenantProcedure
    .input(promptPreviewInput)
    .output(promptSchema)
    .query(({ ctx, input }) => promptPreview(ctx.tx, ctx.tenant, input)),

  createAgent: writeProcedure
    .input(createAgentInput)
    .output(createdAgentSchema)
    .mutation(async ({ ctx, input }) => {
      const created = await createAgentFromDesign(ctx.tx, ctx.tenant, actorUserId(ctx.subject), input);
      ctx.audit.target = `agent:${created.agentId}`;
      return created;
    }),

  get: tenantProcedure
    .input(sessionRefInput)
    .output(designSessionSchema)
    .query(({ ctx, input }) => getSession(ctx.tx, ctx.tenant, input.sessionId)),

  list: tenantProcedure
    .input(listSessionsInput)
    .output(z.array(designSessionSummarySchema))
    .query(({ ctx, input }) => listSessions(ctx.tx, ctx.tenant, input?.limit ?? 20)),
});
