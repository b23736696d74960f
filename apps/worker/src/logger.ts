import { Logger as GraphileLogger } from "graphile-worker";
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export function createLogger(level: LevelWithSilent, workerId: string): Logger {
  return pino({ level, base: { service: "worker", workerId } });
}

/** A crontab job's routine lines (taken, completed): every minute, so kept at debug. */
function isCronRoutine(level: string, meta: unknown): boolean {
  const job = (meta as { job?: { payload?: unknown } } | undefined)?.job;
  return (
    level === "info" && typeof job?.payload === "object" && job.payload !== null && "_cron" in job.payload
  );
}

/**
 * graphile-worker logs through its own abstraction; route it into the same pino stream. The minute
 * ticks' "Completed task" lines go to debug, or they would be most of what `up` prints.
 */
export function toGraphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => {
    const scoped = logger.child({ graphile: scope });
    return (level, message, meta) => {
      const pinoLevel = isCronRoutine(level, meta) ? "debug" : level === "warning" ? "warn" : level;
      scoped[pinoLevel](meta ?? {}, message);
    };
  });
}
