import { AgentSpec, type AgentSpecInput } from "./spec";

/** Agent templates for due diligence: `agent create --template <id>` and the wizard start from these. */

export interface AgentTemplate {
  id: string;
  title: string;
  description: string;
  spec: AgentSpecInput;
}

const URLS_INPUT = {
  type: "object",
  properties: {
    urls: {
      type: "array",
      items: { type: "string", format: "uri" },
      minItems: 1,
      maxItems: 25,
      description: "Websites to watch (http or https URLs).",
    },
  },
  required: ["urls"],
  additionalProperties: false,
};

const URL_INPUT = {
  type: "object",
  properties: { url: { type: "string", format: "uri", description: "The company's website." } },
  required: ["url"],
  additionalProperties: false,
};

export const AGENT_TEMPLATES = [
  {
    id: "stack-watch",
    title: "Stack watch",
    description:
      "Scans each URL and reports its technologies with versions, and what changed since the previous scan of that URL.",
    spec: {
      instructions:
        "Scan every URL in the input. For each, list the technologies found with their versions, then compare " +
        "the new scan with the previous scan of the same URL and report what was added, removed or changed.",
      inputSchema: URLS_INPUT,
      tools: ["scan_url", "compare_scans", "read_findings"],
      outputs: { report: false, findings: true, actions: [] },
      autonomy: "suggest",
      plan: [
        { tool: "scan_url", forEach: "urls", input: { url: "{{item}}" } },
        { tool: "compare_scans", forEach: "urls", input: { url: "{{item}}" } },
      ],
      template: "stack-watch",
    },
  },
  {
    id: "security-regression",
    title: "Security regression",
    description:
      "Re-scans each URL and flags a worse header grade, new vulnerable libraries or weaker TLS since the last scan.",
    spec: {
      instructions:
        "Scan every URL in the input and compare it with its previous scan. Report every security regression: " +
        "a lower HTTP security headers grade, a newly found vulnerable library, a weaker TLS setup. When a " +
        "regression is high or critical, propose an issue for it.",
      inputSchema: URLS_INPUT,
      tools: ["scan_url", "compare_scans", "read_findings", "propose_action"],
      outputs: { report: false, findings: true, actions: ["issue.create"] },
      autonomy: "approve",
      plan: [
        { tool: "scan_url", forEach: "urls", input: { url: "{{item}}" } },
        { tool: "compare_scans", forEach: "urls", input: { url: "{{item}}" } },
      ],
      template: "security-regression",
    },
  },
  {
    id: "thesis-check",
    title: "Thesis check",
    description:
      "Scans a target and checks its technology against an investment thesis, with a cited report.",
    spec: {
      instructions:
        "Scan the target's website, generate its due-diligence report and say, claim by claim with evidence, " +
        "where the technology supports or contradicts the investment thesis in the input.",
      inputSchema: {
        type: "object",
        properties: {
          url: { type: "string", format: "uri", description: "The target's website." },
          thesis: { type: "string", minLength: 10, maxLength: 5000, description: "The investment thesis." },
        },
        required: ["url", "thesis"],
        additionalProperties: false,
      },
      tools: ["scan_url", "get_report", "search_evidence"],
      outputs: { report: true, findings: true, actions: [] },
      autonomy: "suggest",
      plan: [{ tool: "scan_url", input: { url: "{{input.url}}" } }],
      template: "thesis-check",
    },
  },
  {
    id: "vendor-security-review",
    title: "Vendor security review",
    description:
      "Reviews a vendor's public security posture: headers, TLS, cookies, vulnerable libraries, third parties.",
    spec: {
      instructions:
        "Scan the vendor's website and review its security posture: HTTP security headers and their grade, TLS, " +
        "cookies, vulnerable JavaScript libraries and third parties that receive visitors' data. Rate each area " +
        "and cite the evidence.",
      inputSchema: URL_INPUT,
      tools: ["scan_url", "read_findings", "get_report"],
      outputs: { report: true, findings: true, actions: [] },
      autonomy: "suggest",
      plan: [
        { tool: "scan_url", input: { url: "{{input.url}}" } },
        { tool: "read_findings", input: { scanId: "{{steps.scan_url.scanId}}" } },
      ],
      template: "vendor-security-review",
    },
  },
] as const satisfies readonly AgentTemplate[];

export type AgentTemplateId = (typeof AGENT_TEMPLATES)[number]["id"];

export function agentTemplate(id: string): AgentTemplate | undefined {
  return AGENT_TEMPLATES.find((template) => template.id === id);
}

/** A template's spec, parsed (defaults filled in): what a new agent from it starts with. */
export function templateSpec(template: AgentTemplate): AgentSpec {
  return AgentSpec.parse(template.spec);
}
