import { listDeliveries } from "../domain/integrations/deliveries";
import {
  addEndpointInput,
  deletedSchema,
  deliveryPageSchema,
  endpointRefInput,
  endpointSchema,
  endpointWithSecretSchema,
  listDeliveriesInput,
  setEndpointEnabledInput,
} from "../domain/integrations/integrations.schemas";
import {
  addEndpoint,
  deleteEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  setEndpointEnabled,
} from "../domain/integrations/webhooks";
import { scanActorOf } from "../domain/scans/service";
import { noInput } from "../schemas";
import { requireRole, router, tenantProcedure } from "../trpc";
import { z } from "zod";
import { connectionDeps } from "./integration";

const adminProcedure = tenantProcedure.use(requireRole("admin"));

/**
 * Webhook endpoints: URLs that receive the tenant's events of the subscribed types, signed the
 * Standard Webhooks way. The signing secret is shown once (add, rotate); replay is
 * integration.replay.
 */
export const webhookRouter = router({
  add: adminProcedure
    .input(addEndpointInput)
    .output(endpointWithSecretSchema)
    .mutation(async ({ ctx, input }) => {
      const added = await addEndpoint(ctx.tx, scanActorOf(ctx), input, await connectionDeps(ctx));
      ctx.audit.target = `webhook_endpoint:${added.endpoint.id}`;
      return added;
    }),

  list: tenantProcedure
    .input(noInput)
    .output(z.array(endpointSchema))
    .query(({ ctx }) => listEndpoints(ctx.tx, scanActorOf(ctx))),

  /** A new secret; the previous one keeps signing for 24 h. */
  rotateSecret: adminProcedure
    .input(endpointRefInput)
    .output(endpointWithSecretSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `webhook_endpoint:${input.endpointId}`;
      return rotateEndpointSecret(ctx.tx, scanActorOf(ctx), input.endpointId, await connectionDeps(ctx));
    }),

  setEnabled: adminProcedure
    .input(setEndpointEnabledInput)
    .output(endpointSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `webhook_endpoint:${input.endpointId}`;
      return setEndpointEnabled(ctx.tx, scanActorOf(ctx), input);
    }),

  delete: adminProcedure
    .input(endpointRefInput)
    .output(deletedSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `webhook_endpoint:${input.endpointId}`;
      await deleteEndpoint(ctx.tx, scanActorOf(ctx), input.endpointId);
      return { deleted: true as const };
    }),

  /** Webhook deliveries (every endpoint's, or one's), newest first. */
  deliveries: tenantProcedure
    .input(listDeliveriesInput.omit({ connectionId: true, agentRunId: true }))
    .output(deliveryPageSchema)
    .query(({ ctx, input }) =>
      listDeliveries(ctx.tx, scanActorOf(ctx), { ...input, webhooksOnly: true }, "webhook.deliveries"),
    ),
});
