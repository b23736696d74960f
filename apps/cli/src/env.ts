import { defineEnv, type EnvSource } from "@techscaniq/contracts/env";
import { z } from "zod";

export const cliEnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(3101),
  TECHSCANIQ_URL: z.string().url().default("http://localhost:3000"),
  TECHSCANIQ_API_KEY: z.string().optional(),
  /** Passed to the web app when set; otherwise `up` uses the secret generated in the data dir. */
  TECHSCANIQ_JWT_SECRET: z.string().optional(),
  /** `up` serves plain http on this machine: its web app's cookies are not Secure unless this says so. */
  SESSION_COOKIE_SECURE: z.string().optional(),
  CI: z.string().optional(),
});

export type CliEnv = z.infer<typeof cliEnvSchema>;

const cliEnv = defineEnv("CLI", cliEnvSchema);

/**
 * Parsed once by main.ts and handed to the commands. Commands that run another package's code
 * parse that package's settings in their action (`detect`: the scanner's; `db`, `admin`: the database's).
 */
export function loadCliEnv(source: EnvSource = process.env): CliEnv {
  return cliEnv.load(source);
}

/** The environment children inherit (the CLI passes it on unchanged plus what it sets). */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
