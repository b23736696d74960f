import { Logger as GraphileLogger } from "graphile-worker";
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export function createLogger(level: LevelWithSilent, workerId: string): Logger {
  return pino({ level, base: { service: "worker", workerId } });
}

/** graphile-worker logs through its own abstraction; route it into the same pino stream. */
export function toGraphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => {
    const scoped = logger.child({ graphile: scope });
    return (level, message, meta) => {
      const pinoLevel = level === "warning" ? "warn" : level;
      scoped[pinoLevel](meta ?? {}, message);
    };
  });
}
