export {
  createDb,
  withServiceTx,
  withRlsTx,
  withTenantAgentTx,
  emitEvent,
  EVENTS_CHANNEL,
  isUniqueViolation,
  isConnectionError,
  isForeignKeyViolation,
  isCheckViolation,
  isInsufficientPrivilege,
  isInvalidTextRepresentation,
  constraintName,
  type Db,
  type JwtClaims,
  type NewEvent,
  type RlsSession,
  type AgentRunScope,
} from "./client";
export {
  startEmbeddedPostgres,
  resolveDatabaseUrl,
  type RunningPostgres,
  type ResolvedDatabase,
  type EmbeddedPostgresOptions,
} from "./embedded";
export {
  migrate,
  JOB_QUEUE_SCHEMA,
  resetDatabase,
  seed,
  listMigrations,
  MigrationError,
  DEMO_TENANT_SLUG,
  DEMO_USER_EMAIL,
  type MigrateResult,
  type SeedResult,
} from "./migrate";
export { loadDbEnv, type DbEnv } from "./env";
export type * from "./schema";
export {
  sql,
  type Kysely,
  type Transaction,
  type Selectable,
  type Insertable,
  type Updateable,
  type RawBuilder,
} from "kysely";
