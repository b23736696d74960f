import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { agentRouter } from "./routers/agent";
import { agentRunRouter } from "./routers/agent-run";
import { agentTriggerRouter } from "./routers/agent-trigger";
import { agentScheduleRouter } from "./routers/agent-schedule";
import { aiSettingsRouter } from "./routers/ai-settings";
import { apiKeyRouter } from "./routers/api-key";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { designRouter } from "./routers/design";
import { integrationRouter } from "./routers/integration";
import { reportRouter } from "./routers/report";
import { scanRouter } from "./routers/scan";
import { tenantRouter } from "./routers/tenant";
import { usageRouter } from "./routers/usage";
import { webhookRouter } from "./routers/webhook";
import { watchlistRouter } from "./routers/watchlist";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  tenant: tenantRouter,
  apiKey: apiKeyRouter,
  audit: auditRouter,
  scan: scanRouter,
  report: reportRouter,
  aiSettings: aiSettingsRouter,
  usage: usageRouter,
  agent: agentRouter,
  agentRun: agentRunRouter,
  agentTrigger: agentTriggerRouter,
  agentSchedule: agentScheduleRouter,
  design: designRouter,
  integration: integrationRouter,
  webhook: webhookRouter,
  watchlist: watchlistRouter,
});

export type AppRouter = typeof appRouter;
/** What each procedure accepts (before parsing), e.g. `RouterInputs["scan"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** What each procedure returns, as a client receives it, e.g. `RouterOutputs["scan"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
