export { appRouter, type AppRouter, type RouterInputs, type RouterOutputs } from "./router";
export { createContext, createApiServices, type ApiServices } from "./context";
export { createApiHandler, handleTrpcRequest, type ApiRequestHandler } from "./http";
export {
  router,
  mergeRouters,
  createCallerFactory,
  publicProcedure,
  protectedProcedure,
  userProcedure,
  tenantProcedure,
  requireRole,
  type Context,
  type ActiveTenant,
} from "./trpc";
export { DomainError, type DomainErrorCode } from "./errors";
export {
  loadAuthConfig,
  type AuthConfig,
  type LocalAuthConfig,
  type SupabaseAuthConfig,
} from "./auth/config";
export type { AuthSubject, UserSubject, ApiKeySubject } from "./auth/authenticate";
export { apiKeyScopes, type ApiKeyScope } from "./auth/api-keys";
export { createApiKey, type ApiKeyView, type CreatedApiKey } from "./domain/api-keys";
export { assignOperatorAiKey, type AssignedOperatorKey } from "./domain/ai-settings/service";
export { tenantRoles, type TenantRole } from "./domain/roles";
export { listAuditEntries, type AuditLogEntryView } from "./domain/audit";
