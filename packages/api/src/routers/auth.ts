import { getUser, refreshSession, signIn, signOut, signUp } from "../domain/auth";
import {
  authSessionSchema,
  meSchema,
  refreshInput,
  signedOutSchema,
  signInInput,
  signUpInput,
} from "../domain/auth.schemas";
import { DomainError } from "../errors";
import { noInput } from "../schemas";
import { protectedProcedure, publicProcedure, router, userProcedure } from "../trpc";

export const authRouter = router({
  signUp: publicProcedure
    .input(signUpInput)
    .output(authSessionSchema)
    .mutation(({ ctx, input }) => signUp(ctx.db, ctx.authConfig, input, ctx.client, ctx.signInThrottle)),

  signIn: publicProcedure
    .input(signInInput)
    .output(authSessionSchema)
    .mutation(({ ctx, input }) => signIn(ctx.db, ctx.authConfig, input, ctx.client, ctx.signInThrottle)),

  refresh: publicProcedure
    .input(refreshInput)
    .output(authSessionSchema)
    .mutation(({ ctx, input }) => refreshSession(ctx.db, ctx.authConfig, input.refreshToken)),

  signOut: userProcedure
    .input(noInput)
    .output(signedOutSchema)
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
