import { z } from "zod";
import { apiKeyScopeSchema } from "../auth/api-keys";
import { getUser, refreshSession, signIn, signOut, signUp } from "../domain/auth";
import { DomainError } from "../errors";
import { authSessionSchema, authUserSchema, emailSchema, noInput, passwordSchema } from "../schemas";
import { protectedProcedure, publicProcedure, router, userProcedure } from "../trpc";

const meSchema = z.object({
  kind: z.enum(["user", "apiKey"]),
  /** The person, or the key's creator (null for keys made from the shell). */
  user: authUserSchema.nullable(),
  sessionId: z.string().nullable(),
  apiKey: z.object({ id: z.uuid(), tenantId: z.uuid(), scopes: z.array(apiKeyScopeSchema) }).nullable(),
});

export const authRouter = router({
  signUp: publicProcedure
    .input(
      z.strictObject({
        email: emailSchema,
        password: passwordSchema,
        name: z
          .string()
          .trim()
          .min(1, "must not be empty")
          .max(200, "must be at most 200 characters")
          .optional(),
      }),
    )
    .output(authSessionSchema)
    .mutation(({ ctx, input }) => signUp(ctx.db, ctx.authConfig, input, ctx.client, ctx.signInThrottle)),

  signIn: publicProcedure
    .input(
      z.strictObject({
        email: emailSchema,
        password: z.string().min(1, "must not be empty").max(1024, "is too long"),
      }),
    )
    .output(authSessionSchema)
    .mutation(({ ctx, input }) => signIn(ctx.db, ctx.authConfig, input, ctx.client, ctx.signInThrottle)),

  refresh: publicProcedure
    .input(
      z.strictObject({
        refreshToken: z.string().min(20, "must be a refresh token").max(200, "must be a refresh token"),
      }),
    )
    .output(authSessionSchema)
    .mutation(({ ctx, input }) => refreshSession(ctx.db, ctx.authConfig, input.refreshToken)),

  signOut: userProcedure
    .input(noInput)
    .output(z.object({ signedOut: z.literal(true) }))
    .mutation(async ({ ctx }) => {
      await signOut(ctx.db, ctx.authConfig, ctx.subject.sessionId);
      return { signedOut: true as const };
    }),

  me: protectedProcedure
    .input(noInput)
    .output(meSchema)
    .query(async ({ ctx }) => {
      const { subject } = ctx;
      const user = subject.userId ? await getUser(ctx.db, subject.userId) : null;
      if (subject.kind === "user" && !user)
        throw new DomainError("UNAUTHORIZED", "This account no longer exists");
      return {
        kind: subject.kind,
        user,
        sessionId: subject.sessionId,
        apiKey:
          subject.kind === "apiKey"
            ? { id: subject.apiKeyId, tenantId: subject.tenantId, scopes: subject.scopes }
            : null,
      };
    }),
});
