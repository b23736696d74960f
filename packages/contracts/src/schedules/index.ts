import { z } from "zod";

export * from "./cron";

/**
 * What a schedule does when its slot comes while an earlier run of the same
 * schedule is still queued or running: `skip` records a skipped run (reason
 * `overlap`), `buffer_one` queues one run behind the running one (a further
 * slot is skipped), `allow` runs them side by side.
 */
export const SCHEDULE_OVERLAPS = ["skip", "buffer_one", "allow"] as const;
export const ScheduleOverlap = z.enum(SCHEDULE_OVERLAPS, {
  error: "overlap must be skip, buffer_one or allow",
});
export type ScheduleOverlap = z.infer<typeof ScheduleOverlap>;

/** How many next run times the API and UI list at most. */
export const MAX_NEXT_SLOTS = 50;
