import type { z } from "zod";

/** Environment variables as the process has them (or as a test writes them). */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** One package's settings: its schema, and `load`, which validates a source and derives the rest. */
export interface EnvDefinition<Schema extends z.ZodType, Env> {
  schema: Schema;
  /** Throws one error naming every bad variable; never reads `process.env` itself. */
  load(source: EnvSource): Env;
}

/**
 * The one way a package reads its environment: its `env.ts` defines the schema here and
 * exports `load…Env(source = process.env)`; entry points (worker and CLI mains, web and
 * API context creation, benchmarks) call it once and pass the parsed values down.
 */
export function defineEnv<Schema extends z.ZodType>(
  name: string,
  schema: Schema,
): EnvDefinition<Schema, z.output<Schema>>;
export function defineEnv<Schema extends z.ZodType, Env>(
  name: string,
  schema: Schema,
  derive: (parsed: z.output<Schema>, source: EnvSource) => Env,
): EnvDefinition<Schema, Env>;
export function defineEnv<Schema extends z.ZodType, Env>(
  name: string,
  schema: Schema,
  derive?: (parsed: z.output<Schema>, source: EnvSource) => Env,
): EnvDefinition<Schema, Env | z.output<Schema>> {
  return {
    schema,
    load(source) {
      const parsed = schema.safeParse(source);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
        throw new Error(`Invalid ${name} environment: ${problems.join("; ")}`);
      }
      return derive ? derive(parsed.data, source) : parsed.data;
    },
  };
}

/** `""` counts as unset, so `FOO= command` falls back to the default like an absent variable. */
export const emptyAsUnset = (value: unknown) => (value === "" ? undefined : value);
