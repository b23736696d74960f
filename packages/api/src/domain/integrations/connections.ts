import { randomBytes } from "node:crypto";
import { hostRefusalWithoutDns, type AllowPrivate } from "@techscaniq/contracts/address";
import {
  CONNECTION_TESTED_EVENT,
  ConnectionTestResult,
  connectionSecretContext,
  credentialsHint,
  INTEGRATION_CATALOG,
  INTEGRATION_PROVIDERS,
  type IntegrationProviderDefinition,
  type IntegrationProviderName,
} from "@techscaniq/contracts/integrations";
import {
  sql,
  withRlsTx,
  type Database,
  type Db,
  type JwtClaims,
  type Selectable,
  type Transaction,
} from "@techscaniq/db";
import type { IntegrationConnections } from "@techscaniq/db/schema";
import type { SecretBox } from "@techscaniq/db/secrets";
import type { z } from "zod";
import { DomainError, type FieldErrors } from "../../errors";
import { streamEvents } from "../scans/events";
import type { ScanActor } from "../scans/service";
import type {
  catalogSchema,
  ConnectionView,
  createConnectionInput,
  updateConnectionInput,
} from "./integrations.schemas";

type Tx = Transaction<Database>;
type ConnectionRow = Omit<Selectable<IntegrationConnections>, "credentials_ciphertext">;

/** Every column but the sealed credentials (which `authenticated` cannot read anyway). */
const CONNECTION_COLUMNS = [
  "id",
  "tenant_id",
  "provider",
  "name",
  "config",
  "credentials_last4",
  "status",
  "last_checked_at",
  "last_check_ok",
  "last_check_latency_ms",
  "last_error",
  "created_by",
  "created_at",
  "updated_at",
] as const;

/** How long integration.test waits for the worker's answer. */
export const CONNECTION_TEST_WAIT_MS = 20_000;

export function integrationCatalog(): z.infer<typeof catalogSchema> {
  return INTEGRATION_PROVIDERS.map((provider) => {
    const entry = INTEGRATION_CATALOG[provider];
    const actions: Record<string, { title: string; description: string }> = entry.actions;
    return {
      provider,
      title: entry.title,
      fields: entry.fields.map((field) => ({ ...field })),
      testDescription: entry.testDescription,
      actions: Object.entries(actions).map(([name, action]) => ({
        name: `${provider}.${name}`,
        title: action.title,
        description: action.description,
      })),
    };
  });
}

export function toConnectionView(row: ConnectionRow): ConnectionView {
  return {
    id: row.id,
    provider: row.provider,
    name: row.name,
    config: row.config as Record<string, unknown>,
    credentials: { set: row.credentials_last4 !== null, last4: row.credentials_last4 },
    status: row.status,
    lastCheckedAt: row.last_checked_at?.toISOString() ?? null,
    lastCheckOk: row.last_check_ok,
    lastCheckLatencyMs: row.last_check_latency_ms,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * A URL a tenant gives must not point at a private address. Requests never resolve DNS: here IP
 * literals and localhost names are refused; the worker checks resolved addresses at every send.
 */
export function urlRefusal(url: string, allowPrivate: AllowPrivate): string | null {
  const refusal = hostRefusalWithoutDns(new URL(url).hostname, allowPrivate);
  return refusal && `${refusal} (the operator may allow private addresses with TECHSCANIQ_ALLOW_PRIVATE=1)`;
}

function parseOrFieldErrors<T>(schema: z.ZodType<T>, value: unknown, prefix: string, errors: FieldErrors) {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const field = [prefix, ...issue.path.map(String)].join(".");
    (errors[field] ??= []).push(
      issue.code === "unrecognized_keys" ? `unknown fields ${issue.keys.join(", ")}` : issue.message,
    );
  }
  return undefined;
}

/** Config and credentials checked against the provider's catalog entry; BAD_REQUEST naming each field. */
function checkedFields(
  provider: IntegrationProviderName,
  config: Record<string, string>,
  credentials: Record<string, string>,
  allowPrivate: AllowPrivate,
) {
  const entry: IntegrationProviderDefinition = INTEGRATION_CATALOG[provider];
  const errors: FieldErrors = {};
  const parsedConfig = parseOrFieldErrors(entry.config, config, "config", errors);
  const parsedCredentials = parseOrFieldErrors(entry.credentials, credentials, "credentials", errors);
  for (const [field, value] of Object.entries(parsedConfig ?? {})) {
    const refusal =
      typeof value === "string" && /^https?:\/\//.test(value) ? urlRefusal(value, allowPrivate) : null;
    if (refusal) (errors[`config.${field}`] ??= []).push(refusal);
  }
  if (!parsedConfig || !parsedCredentials || Object.keys(errors).length > 0)
    throw new DomainError("BAD_REQUEST", describe(errors), errors);
  return { config: parsedConfig, credentials: parsedCredentials };
}

const describe = (errors: FieldErrors) =>
  Object.entries(errors)
    .map(([field, messages]) => `${field}: ${messages.join(", ")}`)
    .join("; ");

/** A new Standard Webhooks signing secret: `whsec_` and the base64 of 24 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

export async function listConnections(tx: Tx, actor: ScanActor): Promise<ConnectionView[]> {
  const rows = await tx
    .selectFrom("integration_connections")
    .select(CONNECTION_COLUMNS)
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("name")
    .execute();
  return rows.map(toConnectionView);
}

export async function findConnection(tx: Tx, actor: ScanActor, connectionId: string): Promise<ConnectionRow> {
  const row = await tx
    .selectFrom("integration_connections")
    .select(CONNECTION_COLUMNS)
    .where("tenant_id", "=", actor.tenantId)
    .where("id", "=", connectionId)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", `Connection ${connectionId} was not found in this tenant`);
  return row;
}

export interface ConnectionDeps {
  box: SecretBox;
  allowPrivate: AllowPrivate;
}

function sealCredentials(
  deps: ConnectionDeps,
  actor: ScanActor,
  connectionId: string,
  provider: IntegrationProviderName,
  credentials: Record<string, unknown>,
) {
  return {
    credentials_ciphertext: deps.box.seal(
      JSON.stringify(credentials),
      connectionSecretContext(actor.tenantId, connectionId),
    ),
    credentials_last4: credentialsHint(provider, credentials),
  };
}

async function nameTaken<T>(write: Promise<T>, name: string): Promise<T> {
  return write.catch((error: { code?: string }) => {
    if (error.code === "23505")
      throw new DomainError("CONFLICT", `A connection named ${JSON.stringify(name)} already exists`, {
        name: ["is already taken"],
      });
    throw error;
  });
}

export async function createConnection(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof createConnectionInput>,
  deps: ConnectionDeps,
): Promise<{ connection: ConnectionView; signingSecret: string | null }> {
  const generated = input.provider === "webhook" && !input.credentials.secret ? newWebhookSecret() : null;
  const credentials = generated ? { ...input.credentials, secret: generated } : input.credentials;
  const fields = checkedFields(input.provider, input.config, credentials, deps.allowPrivate);
  const id = crypto.randomUUID();
  const row = await nameTaken(
    tx
      .insertInto("integration_connections")
      .values({
        id,
        tenant_id: actor.tenantId,
        provider: input.provider,
        name: input.name,
        config: JSON.stringify(fields.config),
        ...sealCredentials(deps, actor, id, input.provider, fields.credentials),
        created_by: actor.userId,
      })
      .returning(CONNECTION_COLUMNS)
      .executeTakeFirstOrThrow(),
    input.name,
  );
  return { connection: toConnectionView(row), signingSecret: generated };
}

/**
 * Changes name, config or credentials. Config alone keeps the stored credentials; a URL or site
 * change without new credentials is refused, so a stored secret never follows the connection to a
 * host it was not given for.
 */
export async function updateConnection(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof updateConnectionInput>,
  deps: ConnectionDeps,
): Promise<ConnectionView> {
  const current = await findConnection(tx, actor, input.connectionId);
  const changes: Record<string, unknown> = {};
  if (input.name) changes.name = input.name;
  if (input.config || input.credentials) {
    const config = input.config ?? (current.config as Record<string, string>);
    const movesHost = input.config && JSON.stringify(input.config) !== JSON.stringify(current.config);
    if (movesHost && !input.credentials)
      throw new DomainError(
        "BAD_REQUEST",
        "credentials: give the credentials again when the settings change",
        {
          credentials: ["are required when config changes"],
        },
      );
    const fields = checkedFields(current.provider, config, input.credentials ?? {}, deps.allowPrivate);
    changes.config = JSON.stringify(fields.config);
    Object.assign(changes, sealCredentials(deps, actor, current.id, current.provider, fields.credentials));
  }
  if (Object.keys(changes).length === 0) return toConnectionView(current);
  const row = await nameTaken(
    tx
      .updateTable("integration_connections")
      .set(changes)
      .where("tenant_id", "=", actor.tenantId)
      .where("id", "=", current.id)
      .returning(CONNECTION_COLUMNS)
      .executeTakeFirstOrThrow(),
    input.name ?? current.name,
  );
  return toConnectionView(row);
}

export async function deleteConnection(tx: Tx, actor: ScanActor, connectionId: string): Promise<void> {
  await findConnection(tx, actor, connectionId);
  await tx
    .deleteFrom("integration_connections")
    .where("tenant_id", "=", actor.tenantId)
    .where("id", "=", connectionId)
    .execute();
}

/**
 * The worker makes the provider's authenticated read (the API never calls out); the request is
 * queued and committed first, then its answer (integration.connection_tested, subject = request id)
 * is awaited through the events outbox, at most CONNECTION_TEST_WAIT_MS.
 */
export async function testConnection(
  options: { db: Db; claims: JwtClaims; actor: ScanActor; signal?: AbortSignal; waitMs?: number },
  connectionId: string,
): Promise<ConnectionTestResult> {
  const { db, claims, actor } = options;
  const requestId = crypto.randomUUID();
  await withRlsTx(
    db,
    claims,
    async (tx) => {
      await findConnection(tx, actor, connectionId);
      await sql`select private.request_connection_test(${connectionId}::uuid, ${requestId}::uuid)`
        .execute(tx)
        .catch((error: { code?: string; message: string }) => {
          if (error.code === "42501")
            throw new DomainError("FORBIDDEN", "Members and admins test connections; viewers cannot");
          if (error.code === "55000") throw new DomainError("PRECONDITION_FAILED", error.message);
          throw error;
        });
    },
    { tenantId: actor.tenantId },
  );
  const waitMs = options.waitMs ?? CONNECTION_TEST_WAIT_MS;
  const timeout = AbortSignal.timeout(waitMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    for await (const event of streamEvents({
      db,
      claims,
      tenantId: actor.tenantId,
      family: { prefix: "integration.", terminal: new Set([CONNECTION_TESTED_EVENT]) },
      subject: requestId,
      afterId: "0",
      signal,
    }))
      if (event.type === CONNECTION_TESTED_EVENT) return ConnectionTestResult.parse(event.data);
  } catch (error) {
    if (!signal.aborted) throw error;
  }
  throw new DomainError(
    "PRECONDITION_FAILED",
    `No worker answered the connection test within ${waitMs / 1000} s; is a worker running?`,
  );
}
