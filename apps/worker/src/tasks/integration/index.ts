import {
  INTEGRATION_DELIVER_TASK,
  INTEGRATION_TEST_CONNECTION_TASK,
  IntegrationDeliverPayload,
  IntegrationTestConnectionPayload,
  type IntegrationRegistry,
} from "@techscaniq/contracts/integrations";
import type { Db } from "@techscaniq/db";
import { integrationProviders } from "@techscaniq/integrations";
import { loadSecretBox } from "@techscaniq/db/secrets";
import type { WorkerEnv } from "../../env";
import { defineTask, type TaskDefinition } from "../define";
import { once } from "../report/index";
import { deliverOnce, type DeliverySettings } from "./deliver";
import { integrationFetch } from "./fetch";
import { testConnection } from "./test-connection";
import { webhookProvider } from "./webhook";

/** The providers this worker dispatches to (the other providers' packages add theirs here). */
export const INTEGRATION_REGISTRY: IntegrationRegistry = {
  webhook: webhookProvider,
  ...integrationProviders,
};

export function integrationTaskDefinitions(settings: DeliverySettings): TaskDefinition[] {
  return [
    defineTask({
      name: INTEGRATION_DELIVER_TASK,
      payload: IntegrationDeliverPayload,
      handler: async (payload, { helpers }) => {
        const delivery = await deliverOnce(
          settings,
          payload,
          helpers.abortSignal ?? new AbortController().signal,
        );
        helpers.logger.info(
          delivery
            ? `${delivery.action} ${delivery.idempotency_key} attempt ${delivery.attempt}: ${delivery.state}`
            : `integration.deliver: nothing to send for ${JSON.stringify(payload)}`,
        );
      },
    }),
    defineTask({
      name: INTEGRATION_TEST_CONNECTION_TASK,
      payload: IntegrationTestConnectionPayload,
      handler: async (payload, { helpers }) => {
        await testConnection(settings, payload, helpers.abortSignal ?? new AbortController().signal);
      },
    }),
  ];
}

/** The integration.* tasks; requests to receivers follow the scans' private-address switch. */
export function integrationTasks({ db, env }: { db: Db; env: WorkerEnv }): TaskDefinition[] {
  return integrationTaskDefinitions({
    db,
    secretBox: once(() => loadSecretBox(env.db)),
    registry: INTEGRATION_REGISTRY,
    fetch: integrationFetch(env.scanner.scanOptions.allowPrivate),
  });
}
