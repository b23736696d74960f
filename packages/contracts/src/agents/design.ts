import { z } from "zod";
import type { CapabilityModel } from "./capability-model";
import { AgentInputSchema, AgentSpec } from "./spec";
import { AGENT_TEMPLATES, agentTemplate, type AgentTemplateId } from "./templates";

/**
 * The design wizard's offline designer: deterministic, no model. Prose or a capability model becomes
 * capabilities, each mapped by keywords onto one of the templates; the templates used become proposed
 * agents; consecutive agents hand off to each other; compiling gives specs that AgentSpec accepts or the
 * exact validation errors. Every step's output is plain data a person may edit before the next step.
 */

/** The largest diagram (PNG, JPEG, WebP) the wizard accepts: the API refuses more, the page never sends it. */
export const DIAGRAM_MAX_BYTES = 10 * 1024 * 1024;

const TEMPLATE_IDS = AGENT_TEMPLATES.map((template) => template.id) as [
  AgentTemplateId,
  ...AgentTemplateId[],
];
export const DesignTemplateId = z.enum(TEMPLATE_IDS, {
  error: (issue) => `unknown template ${JSON.stringify(issue.input)}; templates: ${TEMPLATE_IDS.join(", ")}`,
});

const AgentKey = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, "an agent key is lower-case letters, digits and dashes, e.g. stack-watch");

export const DesignCapability = z
  .object({
    id: z.string().regex(/^cap-\d{1,4}$/, "a capability id looks like cap-1"),
    name: z.string().trim().min(1, "a capability needs a name").max(200),
    description: z.string().max(2000),
    /** The template that covers it, or null when none does (it is then left out of every agent). */
    templateId: DesignTemplateId.nullable(),
  })
  .strict();
export type DesignCapability = z.infer<typeof DesignCapability>;

export const ProposedAgent = z
  .object({
    key: AgentKey,
    name: z.string().trim().min(1, "an agent needs a name").max(100),
    templateId: DesignTemplateId,
    /** Ids of the capabilities it covers. */
    capabilityIds: z.array(z.string()).max(200),
    rationale: z.string().max(2000),
  })
  .strict();
export type ProposedAgent = z.infer<typeof ProposedAgent>;

export const DesignAnalysis = z
  .object({
    capabilities: z.array(DesignCapability).max(200),
    agents: z.array(ProposedAgent).max(20),
    /** Relationships between capabilities from a model file: the designer's hint for hand-offs. */
    relations: z
      .array(z.object({ from: z.string(), to: z.string(), type: z.string().max(100) }).strict())
      .max(500)
      .default([]),
  })
  .strict()
  .superRefine((analysis, ctx) => {
    const ids = new Set(analysis.capabilities.map((capability) => capability.id));
    const keys = new Set<string>();
    analysis.agents.forEach((agent, index) => {
      if (keys.has(agent.key))
        ctx.addIssue({
          code: "custom",
          path: ["agents", index, "key"],
          message: `key ${agent.key} is used twice`,
        });
      keys.add(agent.key);
      agent.capabilityIds.forEach((id, at) => {
        if (!ids.has(id))
          ctx.addIssue({
            code: "custom",
            path: ["agents", index, "capabilityIds", at],
            message: `no capability ${id}`,
          });
      });
    });
  });
export type DesignAnalysis = z.output<typeof DesignAnalysis>;

export const DesignInteraction = z
  .object({
    from: AgentKey,
    to: AgentKey,
    description: z.string().trim().min(1).max(2000),
    /** JSON Schema (of an object) of the message handed from one agent to the other. */
    messageSchema: AgentInputSchema,
  })
  .strict();
export type DesignInteraction = z.infer<typeof DesignInteraction>;

export const CompiledAgent = z
  .object({
    key: AgentKey,
    name: z.string().trim().min(1).max(100),
    description: z.string().max(2000),
    spec: AgentSpec,
  })
  .strict();
export type CompiledAgent = z.output<typeof CompiledAgent>;

/** Words that point at a template; matched as word prefixes, so "vulnerab" covers vulnerable/-ility. */
const TEMPLATE_KEYWORDS: Record<AgentTemplateId, readonly string[]> = {
  "stack-watch": [
    "technolog",
    "stack",
    "framework",
    "version",
    "librar",
    "cms",
    "cdn",
    "analytics",
    "watch",
    "monitor",
    "portfolio",
    "what changed",
    "changes",
  ],
  "security-regression": [
    "regression",
    "regress",
    "vulnerab",
    "cve",
    "security header",
    "header grade",
    "tls",
    "certificate",
    "critical",
    "jira",
    "ticket",
    "open an issue",
    "alert",
  ],
  "thesis-check": [
    "thesis",
    "invest",
    "acquisition",
    "acquire",
    "target",
    "deal",
    "due diligence",
    "strategy",
    "strategic",
    "value creation",
  ],
  "vendor-security-review": [
    "vendor",
    "supplier",
    "third part",
    "third-part",
    "posture",
    "cookie",
    "procurement",
    "onboard",
    "security review",
    "privacy",
  ],
};

/** The template whose keywords match most often; ties go to the earlier template; null when none match. */
export function matchTemplate(text: string): AgentTemplateId | null {
  const haystack = ` ${text.toLowerCase().replace(/\s+/g, " ")}`;
  let best: { id: AgentTemplateId; hits: number } | null = null;
  for (const id of TEMPLATE_IDS) {
    const hits = TEMPLATE_KEYWORDS[id].filter((keyword) =>
      new RegExp(`[^a-z0-9]${keyword.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(haystack),
    ).length;
    if (hits > 0 && (!best || hits > best.hits)) best = { id, hits };
  }
  return best?.id ?? null;
}

const shortName = (sentence: string) => {
  const words = sentence.replace(/[.!?;:]+$/, "").split(/\s+/);
  return words.length > 10 ? `${words.slice(0, 10).join(" ")}…` : words.join(" ");
};

/** Groups the mapped capabilities into one proposed agent per template, in template order. */
function proposeAgents(capabilities: DesignCapability[]): ProposedAgent[] {
  return TEMPLATE_IDS.flatMap((templateId) => {
    const covered = capabilities.filter((capability) => capability.templateId === templateId);
    if (covered.length === 0) return [];
    const template = agentTemplate(templateId)!;
    return [
      {
        key: templateId,
        name: template.title,
        templateId,
        capabilityIds: covered.map((capability) => capability.id),
        rationale: `${template.description} Covers: ${covered.map(({ name }) => name).join("; ")}.`,
      },
    ];
  });
}

/** Requirements in prose: each sentence or bullet is a candidate capability. */
export function designFromText(text: string): DesignAnalysis {
  const sentences = text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((part) => part.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, "").trim())
    .filter((part) => part.length >= 3)
    .slice(0, 200);
  const capabilities = sentences.map((sentence, index) => ({
    id: `cap-${index + 1}`,
    name: shortName(sentence).slice(0, 200),
    description: sentence.slice(0, 2000),
    templateId: matchTemplate(sentence),
  }));
  return { capabilities, agents: proposeAgents(capabilities), relations: [] };
}

/** A parsed capability model: each capability is mapped by its name and documentation. */
export function designFromModel(model: CapabilityModel): DesignAnalysis {
  const idOf = new Map<string, string>();
  const capabilities = model.capabilities.map((capability, index) => {
    const id = `cap-${index + 1}`;
    idOf.set(capability.sourceId, id);
    return {
      id,
      name: capability.name.slice(0, 200),
      description: capability.description.slice(0, 2000),
      templateId: matchTemplate(`${capability.name}. ${capability.description}`),
    };
  });
  const relations = model.relations.map((relation) => ({
    from: idOf.get(relation.from)!,
    to: idOf.get(relation.to)!,
    type: relation.type.slice(0, 100),
  }));
  return { capabilities, agents: proposeAgents(capabilities), relations };
}

/** What one agent hands to the next: the site it looked at, the scan it made, and what it concluded. */
const HANDOFF_MESSAGE = {
  type: "object",
  properties: {
    url: { type: "string", format: "uri", description: "The website the sending agent looked at." },
    scanId: { type: "string", format: "uuid", description: "The scan the sending agent made or read." },
    summary: { type: "string", maxLength: 5000, description: "What the sending agent found." },
  },
  required: ["url", "scanId", "summary"],
  additionalProperties: false,
};

/**
 * Hand-offs between the proposed agents: where the model file relates capabilities of two agents, that
 * relation; otherwise each agent hands its results to the next one in the list.
 */
export function designInteractions(analysis: DesignAnalysis): DesignInteraction[] {
  const agentOf = (capabilityId: string) =>
    analysis.agents.find((agent) => agent.capabilityIds.includes(capabilityId));
  const pairs = new Map<string, { from: ProposedAgent; to: ProposedAgent; why: string }>();
  for (const relation of analysis.relations) {
    const [from, to] = [agentOf(relation.from), agentOf(relation.to)];
    if (from && to && from.key !== to.key && !pairs.has(`${from.key}>${to.key}`))
      pairs.set(`${from.key}>${to.key}`, { from, to, why: `the model's ${relation.type} relationship` });
  }
  if (pairs.size === 0)
    analysis.agents.slice(1).forEach((to, index) => {
      const from = analysis.agents[index]!;
      pairs.set(`${from.key}>${to.key}`, { from, to, why: "the order of the proposed agents" });
    });
  return [...pairs.values()].map(({ from, to, why }) => ({
    from: from.key,
    to: to.key,
    description: `${from.name} hands each scanned site and its findings to ${to.name} (from ${why}).`,
    messageSchema: HANDOFF_MESSAGE,
  }));
}

export type CompileResult =
  | { ok: true; agents: CompiledAgent[] }
  | { ok: false; errors: { agent: string; path: string; message: string }[] };

/**
 * Specs for the proposed agents: the template's spec, with instructions that name the capabilities it
 * covers and its hand-offs. Every spec is checked with AgentSpec; one invalid spec fails the whole step.
 */
export function compileDesign(analysis: DesignAnalysis, interactions: DesignInteraction[]): CompileResult {
  const errors: { agent: string; path: string; message: string }[] = [];
  const agents: CompiledAgent[] = [];
  for (const agent of analysis.agents) {
    const template = agentTemplate(agent.templateId)!;
    const covered = analysis.capabilities.filter((capability) => agent.capabilityIds.includes(capability.id));
    const handoffs = interactions.filter((interaction) => interaction.from === agent.key);
    const instructions = [
      template.spec.instructions,
      ...(covered.length > 0
        ? [
            "",
            "Requirements this agent covers:",
            ...covered.map((capability) => `- ${capability.description || capability.name}`),
          ]
        : []),
      ...(handoffs.length > 0
        ? ["", "Hand-offs:", ...handoffs.map((handoff) => `- to ${handoff.to}: ${handoff.description}`)]
        : []),
    ].join("\n");
    const parsed = AgentSpec.safeParse({ ...template.spec, instructions });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({ agent: agent.key, path: issue.path.join(".") || "spec", message: issue.message });
      continue;
    }
    agents.push({ key: agent.key, name: agent.name, description: agent.rationale, spec: parsed.data });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, agents };
}
