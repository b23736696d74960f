import { withRlsTx, type Db } from "@techscaniq/db";
import type { SecretBox } from "@techscaniq/db/secrets";
import type { ObjectStorage } from "@techscaniq/db/storage";
import { experimental_standaloneMiddleware, initTRPC, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { Logger } from "pino";
import { z } from "zod";
import type { AuthSubject } from "./auth/authenticate";
import type { AuthConfig } from "./auth/config";
import type { ClientInfo } from "./auth/sessions";
import type { SignInThrottle } from "./auth/sign-in-throttle";
import { writeAuditEntry } from "./domain/audit";
import { hasRole, type TenantRole } from "./domain/roles";
import type { ApiEnv } from "./env";
import { DomainError, domainErrorCodes, toDomainError, type FieldErrors } from "./errors";

export interface Context {
  db: Db;
  env: ApiEnv;
  storage: ObjectStorage;
  secretBox(): Promise<SecretBox>;
  authConfig: AuthConfig;
  signInThrottle: SignInThrottle;
  requestId: string;
  /** pino child carrying requestId (and userId once authenticated). */
  logger: Logger;
  subject: AuthSubject | null;
  /** Why presented credentials were refused, reported by protected procedures. */
  authFailure: DomainError | null;
  /** Raw `x-tenant-id` header; validated where a tenant is needed. */
  tenantHeader: string | null;
  client: ClientInfo;
  /** Long-lived calls (subscriptions) re-check the request's credentials this often. */
  authRecheckMs: number;
  /** Verifies the request's credentials again: null once the session, token or key no longer works. */
  reauthenticate(): Promise<AuthSubject | null>;
}

export interface ActiveTenant {
  id: string;
  /** The caller's role here: from membership, or from an API key's highest scope. */
  role: TenantRole;
}

/** What the audit middleware records about a mutation; resolvers name the target. */
export interface AuditNote {
  target: string | null;
}

const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter({ shape, error, ctx, path }) {
    const requestId = ctx?.requestId ?? null;
    const domain = toDomainError(error);
    if (!domain) {
      return {
        message: `Internal error (request id ${requestId ?? "unknown"})`,
        code: shape.code,
        data: {
          code: "INTERNAL_SERVER_ERROR" as const,
          httpStatus: 500,
          path,
          requestId,
          fieldErrors: null as FieldErrors | null,
        },
      };
    }
    const code = domainErrorCodes[domain.code];
    return {
      message: domain.message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: {
        code,
        httpStatus: getHTTPStatusCodeFromError(new TRPCError({ code })),
        path,
        requestId,
        fieldErrors: domain.fieldErrors ?? null,
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure;

/** A verified user or API key; read-only keys may query and subscribe, not mutate. */
export const protectedProcedure = t.procedure.use(({ ctx, type, next }) => {
  const { subject } = ctx;
  if (!subject)
    throw ctx.authFailure ?? new DomainError("UNAUTHORIZED", "Sign in, or send an API key, to do this");
  if (subject.kind === "apiKey" && type === "mutation" && !subject.scopes.some((scope) => scope !== "read")) {
    throw new DomainError(
      "FORBIDDEN",
      "This API key has only the read scope; changes need the write or admin scope",
    );
  }
  return next({
    ctx: {
      subject,
      logger: ctx.logger.child({ userId: subject.userId, apiKeyId: subject.apiKeyId ?? undefined }),
    },
  });
});

/** Account actions (sessions, creating tenants, managing keys) are for people, not API keys. */
export const userProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.subject.kind !== "user")
    throw new DomainError("FORBIDDEN", "API keys cannot do this; sign in as a user");
  return next({ ctx: { subject: ctx.subject } });
});

const tenantIdSchema = z.uuid({ error: "must be a tenant id (uuid)" });

export function activeTenantId(ctx: Context & { subject: AuthSubject }): string {
  const { subject } = ctx;
  const requested =
    ctx.tenantHeader ??
    (typeof subject.claims.app_metadata?.tenant_id === "string"
      ? subject.claims.app_metadata.tenant_id
      : null);
  if (subject.kind === "apiKey") {
    if (requested && requested !== subject.tenantId)
      throw new DomainError("FORBIDDEN", "This API key belongs to another tenant");
    return subject.tenantId;
  }
  if (!requested)
    throw new DomainError(
      "BAD_REQUEST",
      "x-tenant-id: choose a tenant (send its id in the x-tenant-id header)",
      { "x-tenant-id": ["required"] },
    );
  const parsed = tenantIdSchema.safeParse(requested);
  if (!parsed.success)
    throw new DomainError("BAD_REQUEST", "x-tenant-id: must be a tenant id (uuid)", {
      "x-tenant-id": ["must be a tenant id (uuid)"],
    });
  return parsed.data;
}

/**
 * Runs the resolver inside ONE transaction as `authenticated` with the
 * caller's claims and active tenant (as PostgREST does), after checking the
 * caller acts in that tenant. A failing resolver rolls everything back;
 * a successful mutation is written to audit_log in the same transaction.
 */
export const tenantProcedure = protectedProcedure.use(async ({ ctx, type, path, getRawInput, next }) => {
  const tenantId = activeTenantId(ctx);
  return withRlsTx(
    ctx.db,
    ctx.subject.claims,
    async (tx, { tenantRole: role }) => {
      if (!role)
        throw new DomainError(
          "FORBIDDEN",
          "You are not a member of this tenant (or your API key no longer works there)",
        );
      if (type === "mutation" && role === "viewer")
        throw new DomainError("FORBIDDEN", "Viewers can only read in this tenant");
      const audit: AuditNote = { target: null };
      const result = await next({
        ctx: {
          tx,
          tenant: { id: tenantId, role } satisfies ActiveTenant,
          audit,
          logger: ctx.logger.child({ tenantId }),
        },
      });
      if (!result.ok) throw result.error; // rolls the transaction back
      if (type === "mutation") {
        await writeAuditEntry(tx, {
          tenantId,
          action: path,
          target: audit.target,
          details: { input: await getRawInput() },
          requestId: ctx.requestId,
        });
      }
      return result;
    },
    { tenantId },
  );
});

/** `tenantProcedure.use(requireRole("admin"))`: owners pass every check, viewers only "viewer". */
export function requireRole(minimum: TenantRole) {
  return experimental_standaloneMiddleware<{ ctx: { tenant: ActiveTenant } }>().create(({ ctx, next }) => {
    if (!hasRole(ctx.tenant.role, minimum)) {
      throw new DomainError(
        "FORBIDDEN",
        `This needs the ${minimum} role in this tenant; you are ${ctx.tenant.role}`,
      );
    }
    return next();
  });
}
