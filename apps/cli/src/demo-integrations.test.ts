import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connectionSecretContext } from "@techscaniq/contracts/integrations";
import { loadDbEnv } from "@techscaniq/db";
import { findFreePort } from "@techscaniq/db/embedded";
import { loadSecretBox, type SecretBox } from "@techscaniq/db/secrets";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCredentials, demoIntegrationsService, upsertDemoConnections } from "./demo-integrations";

let database: TestDatabase;
let box: SecretBox;
let tenantId: string;
let fake: ChildProcess | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
  const owner = await createTestUser(database.db);
  tenantId = (await createTestTenant(database.db, owner.id)).id;
  box = await loadSecretBox(loadDbEnv());
}, 120_000);

afterAll(async () => {
  if (fake && fake.exitCode === null) {
    fake.kill("SIGTERM");
    await once(fake, "exit");
  }
  await database?.drop();
});

/** Starts the service `up` runs and waits (bounded) for its ready line. */
async function startDemoService(port: number, credentials: ReturnType<typeof demoCredentials>) {
  const spec = demoIntegrationsService(port, credentials);
  const child = spawn(spec.command, spec.args, { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake did not start: ${output}`)), 60_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("fake integrations:")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`fake exited with ${code}: ${output}`)));
  });
  return child;
}

describe("integrations: up --demo-integrations", { timeout: 120_000 }, () => {
  it("runs the fake APIs and points the demo connections at them, re-sealed on every up", async () => {
    const port = await findFreePort(54_500);
    const origin = `http://127.0.0.1:${port}`;
    const first = await upsertDemoConnections(database.db, box, tenantId, origin, demoCredentials());
    const credentials = demoCredentials();
    fake = await startDemoService(port, credentials);
    const again = await upsertDemoConnections(database.db, box, tenantId, origin, credentials);
    expect(again).toEqual(first);

    const rows = await database.db.kysely
      .selectFrom("integration_connections")
      .select(["id", "name", "provider", "config", "credentials_ciphertext", "credentials_last4"])
      .where("tenant_id", "=", tenantId)
      .orderBy("name")
      .execute();
    expect(rows.map((row) => row.provider)).toEqual(["github", "jira", "servicenow", "slack"]);
    const jira = rows.find((row) => row.provider === "jira")!;
    expect(jira.credentials_last4).toBe(credentials.jira.apiToken.slice(-4));
    expect(JSON.stringify(jira.config)).not.toContain(credentials.jira.apiToken);

    // The stored credentials open and authenticate at the running fake.
    const opened = JSON.parse(
      box.open(jira.credentials_ciphertext!, connectionSecretContext(tenantId, jira.id)),
    ) as { email: string; apiToken: string };
    const siteUrl = (jira.config as { siteUrl: string }).siteUrl;
    const myself = await fetch(`${siteUrl}/rest/api/3/myself`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${opened.email}:${opened.apiToken}`).toString("base64")}`,
      },
    });
    expect(myself.status).toBe(200);
    const stale = await fetch(`${siteUrl}/rest/api/3/myself`, {
      headers: { authorization: `Basic ${Buffer.from("demo@techscaniq.local:old").toString("base64")}` },
    });
    expect(stale.status).toBe(401);
  });
});
