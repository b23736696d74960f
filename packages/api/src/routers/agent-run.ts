import { tracked } from "@trpc/server";
import { z } from "zod";
import {
  agentRunSchema,
  agentRunStepSchema,
  decideRunInput,
  listRunsInput,
  runListSchema,
  runProgressInput,
  runRefInput,
  triggerRunInput,
} from "../domain/agents/agents.schemas";
import {
  AGENT_RUN_EVENTS,
  cancelRun,
  decideApproval,
  findRun,
  listRuns,
  listSteps,
  retryRun,
  toRunView,
  triggerRun,
} from "../domain/agents/runs";
import { scanActorOf } from "../domain/scans/service";
import { protectedProcedure, requireRole, router, tenantProcedure } from "../trpc";
import { progressStream } from "./progress";

const writeProcedure = tenantProcedure.use(requireRole("member"));

/** A person in the app starts a `manual` run; a script with an API key an `api` run. */
const triggerOf = (ctx: { subject: { kind: string } }) => (ctx.subject.kind === "apiKey" ? "api" : "manual");

export const agentRunRouter = router({
  /** Checks the input against the current version's schema, stores the run and queues its job. */
  trigger: writeProcedure
    .input(triggerRunInput)
    .output(agentRunSchema)
    .mutation(async ({ ctx, input }) => {
      const run = await triggerRun(ctx.tx, scanActorOf(ctx), input, triggerOf(ctx));
      ctx.audit.target = `agent_run:${run.id}`;
      return run;
    }),

  get: tenantProcedure
    .input(runRefInput)
    .output(agentRunSchema)
    .query(async ({ ctx, input }) => toRunView(await findRun(ctx.tx, scanActorOf(ctx), input.runId))),

  list: tenantProcedure
    .input(listRunsInput)
    .output(runListSchema)
    .query(({ ctx, input }) => listRuns(ctx.tx, scanActorOf(ctx), input)),

  /** What the run did, in order: model calls with their exact messages, tool calls, approvals. */
  steps: tenantProcedure
    .input(runRefInput)
    .output(z.array(agentRunStepSchema))
    .query(({ ctx, input }) => listSteps(ctx.tx, scanActorOf(ctx), input.runId)),

  /** Asks the worker to stop the run; it ends `cancelled`. */
  cancel: writeProcedure
    .input(runRefInput)
    .output(agentRunSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent_run:${input.runId}`;
      return cancelRun(ctx.tx, scanActorOf(ctx), input.runId);
    }),

  approve: writeProcedure
    .input(decideRunInput)
    .output(agentRunSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent_run:${input.runId}`;
      return decideApproval(ctx.tx, scanActorOf(ctx), input, true);
    }),

  reject: writeProcedure
    .input(decideRunInput)
    .output(agentRunSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent_run:${input.runId}`;
      return decideApproval(ctx.tx, scanActorOf(ctx), input, false);
    }),

  /** A new run of the same version with the same input (`retryOf` set). */
  retry: writeProcedure
    .input(runRefInput)
    .output(agentRunSchema)
    .mutation(async ({ ctx, input }) => {
      const run = await retryRun(ctx.tx, scanActorOf(ctx), input.runId, triggerOf(ctx));
      ctx.audit.target = `agent_run:${run.id}`;
      return run;
    }),

  /** The run's events over SSE until its terminal one (the scan progress stream, for agent runs). */
  progress: protectedProcedure.input(runProgressInput).subscription(async function* ({ ctx, input, signal }) {
    for await (const event of progressStream(ctx, signal, {
      family: AGENT_RUN_EVENTS,
      subject: input.runId,
      lastEventId: input.lastEventId,
      check: (tx, actor) => findRun(tx, actor, input.runId),
    })) {
      const { subject, ...rest } = event;
      yield tracked(event.id, { ...rest, runId: subject });
    }
  }),
});
