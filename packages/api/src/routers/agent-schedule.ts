import {
  createSchedule,
  deleteSchedule,
  listSchedules,
  scheduleNextSlots,
  setScheduleEnabled,
  toScheduleView,
  findSchedule,
  updateSchedule,
} from "../domain/schedules/schedules";
import {
  createScheduleInput,
  deletedScheduleSchema,
  listSchedulesInput,
  nextSlotsInput,
  nextSlotsSchema,
  scheduleListSchema,
  scheduleRefInput,
  scheduleSchema,
  updateScheduleInput,
} from "../domain/schedules/schedules.schemas";
import { scanActorOf } from "../domain/scans/service";
import { requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));

const enabledChange = (enabled: boolean) =>
  writeProcedure
    .input(scheduleRefInput)
    .output(scheduleSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent_schedule:${input.scheduleId}`;
      return setScheduleEnabled(ctx.tx, scanActorOf(ctx), input.scheduleId, enabled);
    });

/** An agent's schedules: cron in an IANA zone, overlap policy, catch-up window, the run's input. */
export const agentScheduleRouter = router({
  list: tenantProcedure
    .input(listSchedulesInput)
    .output(scheduleListSchema)
    .query(({ ctx, input }) => listSchedules(ctx.tx, scanActorOf(ctx), input.agentId)),

  get: tenantProcedure
    .input(scheduleRefInput)
    .output(scheduleSchema)
    .query(async ({ ctx, input }) =>
      toScheduleView(await findSchedule(ctx.tx, scanActorOf(ctx), input.scheduleId)),
    ),

  create: writeProcedure
    .input(createScheduleInput)
    .output(scheduleSchema)
    .mutation(async ({ ctx, input }) => {
      const schedule = await createSchedule(ctx.tx, scanActorOf(ctx), input);
      ctx.audit.target = `agent_schedule:${schedule.id}`;
      return schedule;
    }),

  update: writeProcedure
    .input(updateScheduleInput)
    .output(scheduleSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `agent_schedule:${input.scheduleId}`;
      return updateSchedule(ctx.tx, scanActorOf(ctx), input);
    }),

  /** Enabling starts from the next slot; slots while disabled are not run and not recorded. */
  enable: enabledChange(true),
  disable: enabledChange(false),

  delete: writeProcedure
    .input(scheduleRefInput)
    .output(deletedScheduleSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `agent_schedule:${input.scheduleId}`;
      await deleteSchedule(ctx.tx, scanActorOf(ctx), input.scheduleId);
      return { deleted: true as const };
    }),

  /** The next `count` (≤ 50) run times after `from` (now), ISO with the schedule zone's offset. */
  next: tenantProcedure
    .input(nextSlotsInput)
    .output(nextSlotsSchema)
    .query(({ ctx, input }) => scheduleNextSlots(ctx.tx, scanActorOf(ctx), input)),
});
