import type { Command } from "commander";
import { z } from "zod";
import { apiKeyScopes, assignOperatorAiKey, createApiKey } from "@techscaniq/api";
import { createDb, loadDbEnv, resolveDatabaseUrl } from "@techscaniq/db";
import { loadSecretBox } from "@techscaniq/db/secrets";

const CreateApiKeyOptions = z.object({
  tenant: z.string().min(1, "--tenant: give the tenant's slug"),
  name: z.string().trim().min(1, "--name: give the key a name").max(100, "--name: at most 100 characters"),
  scopes: z
    .string()
    .default("read,write")
    .transform((s) => s.split(",").map((x) => x.trim()))
    .pipe(
      z.array(
        z.enum(apiKeyScopes, { error: `--scopes: each scope must be one of ${apiKeyScopes.join(", ")}` }),
      ),
    ),
  expiresInDays: z.coerce
    .number()
    .int()
    .positive("--expires-in-days: must be a positive whole number")
    .optional(),
});

export function registerAdminCommands(program: Command): void {
  const admin = program.command("admin").description("operator tasks, run with the service role");
  admin
    .command("create-api-key")
    .description("create an API key for a tenant; prints the secret alone on stdout (shown once)")
    .requiredOption("--tenant <slug>", "tenant slug")
    .requiredOption("--name <name>", "what the key is for")
    .option("--scopes <list>", `comma-separated scopes (${apiKeyScopes.join(", ")})`, "read,write")
    .option("--expires-in-days <n>", "expiry; none by default")
    .action(async (raw: unknown) => {
      const parsed = CreateApiKeyOptions.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
      const opts = parsed.data;
      const database = await resolveDatabaseUrl();
      const db = createDb(database.url, { max: 1 });
      try {
        const created = await createApiKey(db, {
          tenantSlug: opts.tenant,
          name: opts.name,
          scopes: opts.scopes,
          expiresAt: opts.expiresInDays ? new Date(Date.now() + opts.expiresInDays * 86_400_000) : null,
        });
        console.error(
          `created API key "${created.apiKey.name}" (${created.apiKey.prefix}…, scopes ${created.apiKey.scopes.join(",")}) for tenant ${opts.tenant}`,
        );
        process.stdout.write(created.secret + "\n");
      } finally {
        await db.close();
        await database.stop();
      }
    });
  admin
    .command("set-ai-key")
    .description(
      "assign an AI provider key to one tenant, read from stdin; it is sent only to --base-url (or the vendor's API)",
    )
    .requiredOption("--tenant <slug>", "tenant slug")
    .requiredOption("--provider <id>", "openai, anthropic or local (an OpenAI-compatible server)")
    .option("--base-url <url>", "the only base URL the key is sent to; required for local")
    .action(async (raw: { tenant: string; provider: string; baseUrl?: string }) => {
      if (process.stdin.isTTY) console.error("paste the key, then press Ctrl-D");
      let apiKey = "";
      for await (const chunk of process.stdin) apiKey += String(chunk);
      const database = await resolveDatabaseUrl();
      const db = createDb(database.url, { max: 1 });
      try {
        const assigned = await assignOperatorAiKey(
          db,
          // The domain function validates every field and names it in the error.
          {
            tenantSlug: raw.tenant,
            provider: raw.provider as "openai",
            apiKey: apiKey.trim(),
            baseUrl: raw.baseUrl ?? null,
          },
          await loadSecretBox(loadDbEnv()),
        );
        console.error(
          `assigned the ${assigned.provider} key …${assigned.last4} to tenant ${raw.tenant}; it is sent only to ${assigned.baseUrl ?? "the vendor's official API"}`,
        );
      } finally {
        await db.close();
        await database.stop();
      }
    });
}
