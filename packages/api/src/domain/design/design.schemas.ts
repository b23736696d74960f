import {
  AgentSpec,
  CAPABILITY_MODEL_MAX_BYTES,
  DIAGRAM_MAX_BYTES,
  CompiledAgent,
  DesignAnalysis,
  DesignInteraction,
} from "@techscaniq/contracts/agents";
import { z } from "zod";
import { idSchema } from "../../schemas";

/** The design router's inputs and outputs. Inputs are strict: an unknown field is an error. */

export const MAX_REQUIREMENTS_CHARS = 20_000;
export const IMAGE_MAX_BYTES = DIAGRAM_MAX_BYTES;

const sessionId = idSchema("a design session");
const titleSchema = z
  .string({ error: "must be a title of 1 to 200 characters" })
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");

export const analyzeTextInput = z.strictObject({
  title: titleSchema.optional(),
  text: z
    .string({ error: "must be the requirements in prose" })
    .trim()
    .min(10, "must describe the need in at least 10 characters")
    .max(MAX_REQUIREMENTS_CHARS, `must be at most ${MAX_REQUIREMENTS_CHARS} characters`),
});

const fileNameSchema = z
  .string({ error: "must be a file name" })
  .trim()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters");

export const analyzeModelInput = z.strictObject({
  title: titleSchema.optional(),
  fileName: fileNameSchema,
  /** The file's text: ArchiMate Open Exchange XML or CSV. */
  content: z
    .string({ error: "must be the file's text" })
    .refine((text) => Buffer.byteLength(text) <= CAPABILITY_MODEL_MAX_BYTES, "the file is larger than 10 MB"),
});

export const analyzeImageInput = z.strictObject({
  title: titleSchema.optional(),
  fileName: fileNameSchema,
  /** The image's bytes, base64. */
  contentBase64: z
    .string({ error: "must be the image as base64" })
    .max(Math.ceil(IMAGE_MAX_BYTES / 3) * 4 + 4, "the image is larger than 10 MB")
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be the image as base64"),
});

export const imageAnalysisSchema = z.object({
  analyzed: z.boolean(),
  /** The design session the worker writes the analysis into (poll design.get). */
  sessionId: z.uuid(),
  mediaType: z.enum(["image/png", "image/jpeg", "image/webp"]),
  bytes: z.number().int(),
  message: z.string(),
});
export type ImageAnalysis = z.infer<typeof imageAnalysisSchema>;

export const sessionRefInput = z.strictObject({ sessionId });

export const generateInteractionsInput = z.strictObject({
  sessionId,
  /** The person's edits of the analysis; saved before the interactions are generated from it. */
  analysis: DesignAnalysis.optional(),
});

export const compileInput = z.strictObject({
  sessionId,
  /** The person's edits of the interactions; saved with the compiled specs. */
  interactions: z.array(DesignInteraction).max(100).optional(),
});

export const promptPreviewInput = z.strictObject({
  sessionId,
  /** Which compiled agent, by its key. */
  agentKey: z.string().max(64),
  /** The person's edits of that agent's spec, if any. */
  spec: AgentSpec.optional(),
  input: z.record(z.string(), z.unknown(), { error: "must be a JSON object" }),
});

export const createAgentInput = z.strictObject({
  sessionId,
  agentKey: z.string().max(64),
  name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters").optional(),
  /** The person's edits of the compiled spec; checked with AgentSpec again. */
  spec: AgentSpec.optional(),
});

export const listSessionsInput = z
  .strictObject({ limit: z.number().int().min(1).max(100).default(20) })
  .optional();

export const designSessionSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  source: z.enum(["text", "model", "image"]),
  sourceName: z.string().nullable(),
  /**
   * A diagram's analysis by a vision-capable model: analysing, analysed, failed (with why) or unanalysed
   * (no vision-capable model; `error` says so plainly); null for other sources.
   */
  image: z
    .object({
      status: z.enum(["analysing", "analysed", "failed", "unanalysed"]),
      error: z.string().nullable(),
    })
    .nullable(),
  requirements: z.string(),
  analysis: DesignAnalysis,
  interactions: z.array(DesignInteraction).nullable(),
  compiled: z.array(CompiledAgent).nullable(),
  createdAgentIds: z.array(z.uuid()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DesignSessionView = z.infer<typeof designSessionSchema>;

export const designSessionSummarySchema = designSessionSchema.pick({
  id: true,
  title: true,
  source: true,
  createdAgentIds: true,
  updatedAt: true,
});

export const createdAgentSchema = z.object({ agentId: z.uuid(), version: z.number().int() });
