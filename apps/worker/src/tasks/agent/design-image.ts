import { classifyFailure, type AiConfig, type ProviderConfig, type ProviderFetch } from "@techscaniq/ai";
import {
  agentCallCost,
  analyzeDiagram,
  DIAGRAM_MEDIA_TYPES,
  DiagramAnswerError,
  type DiagramMediaType,
} from "@techscaniq/ai/agents";
import { DIAGRAM_USAGE_TASK } from "@techscaniq/contracts/ai";
import { DESIGN_ANALYZE_IMAGE_TASK, DesignAnalyzeImagePayload } from "@techscaniq/contracts/tasks";
import { withServiceTx, type Db } from "@techscaniq/db";
import type { ObjectStorage } from "@techscaniq/db/storage";
import { defineTask, isLastAttempt, type TaskDefinition } from "../define";
import type { TenantAiLoader } from "../report/tenant-ai";

export interface DesignImageSettings {
  db: Db;
  storage: ObjectStorage;
  aiConfig: AiConfig;
  tenantAi?: TenantAiLoader;
  providerFetch: (provider: ProviderConfig) => ProviderFetch;
}

/** A diagram's answer is a whole analysis: more room than a report section's. */
const DIAGRAM_OUTPUT_TOKENS = 4_000;

/** No retry can fix it: the session's analysis fails with this message. */
class DiagramFailure extends Error {
  override name = "DiagramFailure";
}

/** None of the tenant's, the operator's or this worker's models reads images: not a failure, said plainly. */
class NoVisionModel extends Error {
  override name = "NoVisionModel";
  constructor() {
    super(
      "No vision-capable model is configured, so the diagram was not analysed. Describe the process in " +
        "text, upload a capability model (ArchiMate Open Exchange XML or CSV), or set an OpenAI or " +
        "Anthropic key in the AI settings, instead.",
    );
  }
}

type SessionStatus = "analysing" | "analysed" | "failed" | "unanalysed";

async function endSession(
  db: Db,
  sessionId: string,
  end: { status: "analysed"; analysis: unknown } | { status: "failed" | "unanalysed"; error: string },
): Promise<SessionStatus> {
  await withServiceTx(db, (tx) =>
    tx
      .updateTable("design_sessions")
      .set(
        end.status === "analysed"
          ? { image_status: "analysed", image_error: null, analysis: JSON.stringify(end.analysis) }
          : { image_status: end.status, image_error: end.error.slice(0, 2000) },
      )
      .where("id", "=", sessionId)
      .where("image_status", "=", "analysing")
      .execute(),
  );
  return end.status;
}

type DiagramUsage = { inputTokens: number; outputTokens: number };
const NO_TOKENS: DiagramUsage = { inputTokens: 0, outputTokens: 0 };

/** One ai_usage row for the diagram's model calls (task analyzeDiagram), billed to the session's tenant. */
async function meterDiagramCall(
  db: Db,
  tenantId: string,
  call: {
    config: AiConfig;
    provider: string;
    model: string;
    usage: DiagramUsage;
    outcome: string;
    error: string | null;
    started: number;
  },
): Promise<void> {
  const { inputTokens, outputTokens } = call.usage;
  await withServiceTx(db, (tx) =>
    tx
      .insertInto("ai_usage")
      .values({
        tenant_id: tenantId,
        task: DIAGRAM_USAGE_TASK,
        provider: call.provider,
        model: call.model,
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        cost_usd: agentCallCost(call.config.prices, call.model, inputTokens, outputTokens).toFixed(6),
        priced: Boolean(call.config.prices[call.model]),
        latency_ms: Math.max(0, Math.round(performance.now() - call.started)),
        outcome: call.outcome,
        error: call.error?.slice(0, 2000) ?? null,
      })
      .execute(),
  );
}

/**
 * The first OpenAI or Anthropic model of the tenant's chain: the providers that read images. The chain
 * already holds them in the order that decides: the tenant's own key, a key the operator assigned to the
 * tenant, then this worker's deployment keys (OPENAI_API_KEY, ANTHROPIC_API_KEY).
 */
function visionModel(
  config: AiConfig,
  tenantSettings: { routes?: AiConfig["routes"]; disabledProviders?: string[] },
): { provider: ProviderConfig; step: string; model: string } {
  const disabled = new Set(tenantSettings.disabledProviders ?? []);
  const chain = tenantSettings.routes?.writeSection ?? config.routes.writeSection ?? [];
  for (const step of chain) {
    const provider = config.providers[step.provider];
    if (disabled.has(step.provider) || (provider?.kind !== "openai" && provider?.kind !== "anthropic"))
      continue;
    if (provider.operatorBilled !== false && !config.prices[step.model])
      throw new DiagramFailure(
        `model "${step.model}" has no known price, so the operator's key is not spent on it`,
      );
    return { provider, step: step.provider, model: step.model };
  }
  throw new NoVisionModel();
}

/**
 * Analyses a session's diagram and stores the outcome in the session. Idempotent: a session no longer
 * `analysing` is left as it is. Provider failures a retry may fix are thrown (graphile-worker retries).
 */
export async function analyzeSessionImage(
  settings: DesignImageSettings,
  sessionId: string,
  signal?: AbortSignal,
): Promise<SessionStatus | "gone"> {
  const { db } = settings;
  const session = await db.kysely
    .selectFrom("design_sessions")
    .select(["tenant_id", "image_path", "image_status"])
    .where("id", "=", sessionId)
    .where("source", "=", "image")
    .executeTakeFirst();
  if (!session?.image_path || !session.image_status) return "gone";
  if (session.image_status !== "analysing") return session.image_status as SessionStatus;
  try {
    const { config, tenantSettings } = settings.tenantAi
      ? await settings.tenantAi(session.tenant_id)
      : { config: settings.aiConfig, tenantSettings: {} };
    const { provider, step, model } = visionModel(config, tenantSettings);
    const image = await settings.storage.get({ bucket: "artifacts", path: session.image_path });
    if (!image) throw new DiagramFailure("the diagram is no longer in storage; upload it again");
    if (!(DIAGRAM_MEDIA_TYPES as readonly string[]).includes(image.contentType))
      throw new DiagramFailure(`the stored diagram is ${image.contentType}, not a PNG, JPEG or WebP image`);
    const started = performance.now();
    const meter = (usage: DiagramUsage, outcome: string, error: string | null) =>
      meterDiagramCall(db, session.tenant_id, {
        config,
        provider: step,
        model,
        usage,
        outcome,
        error,
        started,
      });
    let result;
    try {
      result = await analyzeDiagram(
        provider,
        { mediaType: image.contentType as DiagramMediaType, bytes: image.body },
        { model, maxOutputTokens: DIAGRAM_OUTPUT_TOKENS, timeoutMs: config.timeoutMs, signal },
        settings.providerFetch(provider),
      );
    } catch (error) {
      if (error instanceof DiagramAnswerError) await meter(error.usage, "invalid_answer", error.problems);
      else {
        const failure = classifyFailure(error);
        await meter(NO_TOKENS, failure.kind, failure.message);
      }
      throw error;
    }
    await meter(result, "ok", null);
    return endSession(db, sessionId, { status: "analysed", analysis: result.analysis });
  } catch (error) {
    if (error instanceof NoVisionModel)
      return endSession(db, sessionId, { status: "unanalysed", error: error.message });
    if (error instanceof DiagramFailure || error instanceof DiagramAnswerError)
      return endSession(db, sessionId, { status: "failed", error: error.message });
    const failure = classifyFailure(error);
    if (failure.retryable) throw error;
    return endSession(db, sessionId, { status: "failed", error: `${failure.kind}: ${failure.message}` });
  }
}

/**
 * `design.analyze_image` ({ sessionId }), queued by private.enqueue_design_image_job under job key
 * design_image:<id>.
 */
export function designImageTask(
  settings: DesignImageSettings,
): TaskDefinition<typeof DesignAnalyzeImagePayload> {
  return defineTask({
    name: DESIGN_ANALYZE_IMAGE_TASK,
    payload: DesignAnalyzeImagePayload,
    handler: async ({ sessionId }, { helpers }) => {
      try {
        const status = await analyzeSessionImage(settings, sessionId, helpers.abortSignal);
        helpers.logger.info(`design.analyze_image ${sessionId}: ${status}`);
      } catch (error) {
        if (isLastAttempt(helpers))
          await endSession(settings.db, sessionId, {
            status: "failed",
            error: error instanceof Error ? error.message : String(error),
          });
        throw error;
      }
    },
  });
}
