import {
  createConnection,
  deleteConnection,
  integrationCatalog,
  listConnections,
  testConnection,
  updateConnection,
  type ConnectionDeps,
} from "../domain/integrations/connections";
import { integrationStatus, listDeliveries, replayDelivery } from "../domain/integrations/deliveries";
import {
  catalogSchema,
  connectionRefInput,
  connectionSchema,
  connectionTestSchema,
  createConnectionInput,
  createdConnectionSchema,
  deletedSchema,
  deliveryPageSchema,
  deliveryRefInput,
  integrationStatusSchema,
  listDeliveriesInput,
  replayedSchema,
  updateConnectionInput,
} from "../domain/integrations/integrations.schemas";
import { scanActorOf } from "../domain/scans/service";
import { noInput } from "../schemas";
import {
  activeTenantId,
  protectedProcedure,
  requireRole,
  router,
  tenantProcedure,
  type Context,
} from "../trpc";
import { z } from "zod";

const adminProcedure = tenantProcedure.use(requireRole("admin"));

/** What sealing and URL checks need: the secret box and the private-address switch. */
export const connectionDeps = async (ctx: Pick<Context, "env" | "secretBox">): Promise<ConnectionDeps> => ({
  box: await ctx.secretBox(),
  allowPrivate: ctx.env.TECHSCANIQ_ALLOW_PRIVATE === "1",
});

/**
 * Connections to GitHub, Jira, ServiceNow, Slack and outgoing webhooks: every member reads them and
 * their deliveries, writers test them and replay deliveries, admins create, change and delete them.
 * Credentials go in and never come out (set + last 4).
 */
export const integrationRouter = router({
  /** Providers, the fields each needs and the actions each offers. */
  catalog: tenantProcedure
    .input(noInput)
    .output(catalogSchema)
    .query(() => integrationCatalog()),

  connections: tenantProcedure
    .input(noInput)
    .output(z.array(connectionSchema))
    .query(({ ctx }) => listConnections(ctx.tx, scanActorOf(ctx))),

  create: adminProcedure
    .input(createConnectionInput)
    .output(createdConnectionSchema)
    .mutation(async ({ ctx, input }) => {
      const created = await createConnection(ctx.tx, scanActorOf(ctx), input, await connectionDeps(ctx));
      ctx.audit.target = `integration_connection:${created.connection.id}`;
      return created;
    }),

  update: adminProcedure
    .input(updateConnectionInput)
    .output(connectionSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `integration_connection:${input.connectionId}`;
      return updateConnection(ctx.tx, scanActorOf(ctx), input, await connectionDeps(ctx));
    }),

  delete: adminProcedure
    .input(connectionRefInput)
    .output(deletedSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `integration_connection:${input.connectionId}`;
      await deleteConnection(ctx.tx, scanActorOf(ctx), input.connectionId);
      return { deleted: true as const };
    }),

  /**
   * The provider's real authenticated read, made by the worker; waits up to 20 s for its answer.
   * Not in one request transaction: the job must be committed before the worker can take it.
   */
  test: protectedProcedure
    .input(connectionRefInput)
    .output(connectionTestSchema)
    .mutation(({ ctx, input, signal }) =>
      testConnection(
        {
          db: ctx.db,
          claims: ctx.subject.claims,
          actor: { tenantId: activeTenantId(ctx), userId: ctx.subject.userId },
          ...(signal ? { signal } : {}),
        },
        input.connectionId,
      ),
    ),

  /** Last checks and delivery health (24 h) of every connection and webhook endpoint. */
  status: tenantProcedure
    .input(noInput)
    .output(integrationStatusSchema)
    .query(({ ctx }) => integrationStatus(ctx.tx, scanActorOf(ctx))),

  /** Every attempt, newest first; of one connection, endpoint or agent run when asked. */
  deliveries: tenantProcedure
    .input(listDeliveriesInput)
    .output(deliveryPageSchema)
    .query(({ ctx, input }) => listDeliveries(ctx.tx, scanActorOf(ctx), input, "integration.deliveries")),

  /** Sends a delivery's action again now: a new attempt with the same idempotency key (and webhook-id). */
  replay: tenantProcedure
    .use(requireRole("member"))
    .input(deliveryRefInput)
    .output(replayedSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `integration_delivery:${input.deliveryId}`;
      return replayDelivery(ctx.tx, scanActorOf(ctx), input.deliveryId);
    }),
});
