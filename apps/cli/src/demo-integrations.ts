import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { connectionSecretContext, type IntegrationProviderName } from "@techscaniq/contracts/integrations";
import { withServiceTx, type Db } from "@techscaniq/db";
import type { SecretBox } from "@techscaniq/db/secrets";
import { repoRoot } from "./process";

/**
 * `up --demo-integrations`: the fake provider APIs of `fixtures/` as a service, and one connection
 * per provider in the demo tenant pointing at them, so a newcomer can run an agent that files a
 * Jira issue (or a GitHub issue, a ServiceNow incident, a Slack message) without any account.
 */

/** What the fake checks, in its `FakeCredentials` shape; new on every `up`. */
export function demoCredentials() {
  const secret = () => randomBytes(16).toString("hex");
  return {
    github: { token: `ghp_${secret()}` },
    jira: { email: "demo@techscaniq.local", apiToken: `ATATT${secret()}`, projectKey: "OPS" },
    servicenow: { username: "demo", password: secret(), token: secret() },
    slack: {
      token: `xoxb-${secret()}`,
      channelId: "C0TECHSCAN1",
      channelName: "security-alerts",
      webhookPath: `/services/T0DEMO/B0DEMO/${secret()}`,
    },
  };
}
export type DemoCredentials = ReturnType<typeof demoCredentials>;

export function demoIntegrationsService(port: number, credentials: DemoCredentials) {
  const main = path.join(repoRoot, "fixtures/src/fake-integrations/main.ts");
  return {
    name: "fake-integrations",
    command: process.execPath,
    args: ["--import", "tsx", main, String(port), JSON.stringify(credentials)],
    opts: {},
  };
}

/** The demo connections (by name), created or pointed at this run's fake with its new credentials. */
export async function upsertDemoConnections(
  db: Db,
  box: SecretBox,
  tenantId: string,
  origin: string,
  credentials: DemoCredentials,
): Promise<string[]> {
  const connections: {
    name: string;
    provider: IntegrationProviderName;
    config: Record<string, string>;
    secrets: Record<string, string>;
  }[] = [
    {
      name: "Demo Jira (fake)",
      provider: "jira",
      config: { siteUrl: `${origin}/jira`, projectKey: credentials.jira.projectKey, issueType: "Task" },
      secrets: { email: credentials.jira.email, apiToken: credentials.jira.apiToken },
    },
    {
      name: "Demo GitHub (fake)",
      provider: "github",
      config: { apiUrl: `${origin}/github`, repository: "acme/shop" },
      secrets: { token: credentials.github.token },
    },
    {
      name: "Demo ServiceNow (fake)",
      provider: "servicenow",
      config: { instanceUrl: `${origin}/servicenow` },
      secrets: { username: credentials.servicenow.username, password: credentials.servicenow.password },
    },
    {
      name: "Demo Slack (fake)",
      provider: "slack",
      config: { channel: credentials.slack.channelId, apiUrl: `${origin}/slack/api/` },
      secrets: { botToken: credentials.slack.token },
    },
  ];
  return withServiceTx(db, async (tx) => {
    const ids: string[] = [];
    for (const connection of connections) {
      // Credentials are sealed to the connection's id: an existing row keeps its id.
      const existing = await tx
        .selectFrom("integration_connections")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("name", "=", connection.name)
        .executeTakeFirst();
      const id = existing?.id ?? randomUUID();
      const main = Object.values(connection.secrets).at(-1)!;
      const values = {
        config: JSON.stringify(connection.config),
        credentials_ciphertext: box.seal(
          JSON.stringify(connection.secrets),
          connectionSecretContext(tenantId, id),
        ),
        credentials_last4: main.slice(-4),
      };
      await tx
        .insertInto("integration_connections")
        .values({ id, tenant_id: tenantId, provider: connection.provider, name: connection.name, ...values })
        .onConflict((conflict) => conflict.columns(["tenant_id", "name"]).doUpdateSet(values))
        .execute();
      ids.push(id);
    }
    return ids;
  });
}
