import { z } from "zod";
import { FINDING_KINDS, FINDING_SEVERITIES } from "../scan/findings";

/**
 * The tools an agent may use: one registry that the design wizard (what it may propose), the runtime
 * (what it runs, in the worker, as the tenant through RLS) and the UI (what it shows) all read. The
 * implementations live in the worker, in a map that TypeScript forces to cover every name here.
 */

const ScanId = z.uuid({ error: "scanId must be a scan id (uuid)" });
const HttpUrl = z
  .url({ protocol: /^https?$/, error: "url must be an absolute http(s) URL" })
  .max(2048, "url is longer than 2048 characters");

const FindingSummary = z.object({
  kind: z.enum(FINDING_KINDS),
  key: z.string(),
  name: z.string(),
  version: z.string().nullable(),
  severity: z.string().nullable(),
  evidenceIds: z.array(z.string()),
  /** A layer the site does not show, inferred from one it does (technology findings only). */
  inferred: z.literal(true).optional(),
});

const ScanSummary = z.object({
  scanId: ScanId,
  url: z.string(),
  status: z.string(),
  /** Why the scan failed, as the scanner said (e.g. the DNS or TLS error); null unless it failed. */
  error: z.string().nullable(),
  findings: z.array(FindingSummary),
});

export const AGENT_TOOLS = {
  scan_url: {
    title: "Scan a URL",
    description:
      "Scans a website through the scan pipeline and waits for it to finish; returns the scan id and its findings.",
    input: z.object({ url: HttpUrl }).strict(),
    output: ScanSummary,
    external: false,
  },
  read_findings: {
    title: "Read a scan's findings",
    description:
      "Returns the findings of a scan of this tenant, optionally only one kind or at least a severity.",
    input: z
      .object({
        scanId: ScanId,
        kind: z.enum(FINDING_KINDS).optional(),
        minSeverity: z.enum(FINDING_SEVERITIES).optional(),
      })
      .strict(),
    output: ScanSummary,
    external: false,
  },
  compare_scans: {
    title: "Compare two scans",
    description:
      "What changed between two scans (technologies, versions, header grade, vulnerabilities, third parties). " +
      "Given only a URL, compares its two latest completed scans.",
    input: z.union([
      z.object({ scanId: ScanId, baseScanId: ScanId }).strict(),
      z.object({ url: HttpUrl }).strict(),
    ]),
    output: z.object({
      scanId: ScanId.nullable(),
      baseScanId: ScanId.nullable(),
      changes: z.array(z.object({ change: z.string(), subject: z.string(), detail: z.string() })),
    }),
    external: false,
  },
  get_report: {
    title: "Generate or fetch a report",
    description:
      "Returns the latest report of a scan (its sections' verified claims); asks for one and waits when none exists.",
    input: z.object({ scanId: ScanId }).strict(),
    output: z.object({
      reportId: z.uuid(),
      version: z.number().int(),
      sections: z.array(z.object({ id: z.string(), title: z.string(), claims: z.array(z.string()) })),
    }),
    external: false,
  },
  search_evidence: {
    title: "Search evidence",
    description:
      "Full-text search over the tenant's stored evidence; returns matching excerpts with their ids.",
    input: z
      .object({
        query: z.string().trim().min(2, "query must have at least 2 characters").max(200),
        limit: z.number().int().min(1).max(50).default(10),
      })
      .strict(),
    output: z.object({
      matches: z.array(
        z.object({ evidenceId: z.string(), scanId: ScanId, kind: z.string(), excerpt: z.string() }),
      ),
    }),
    external: false,
  },
  propose_action: {
    title: "Propose an action",
    description:
      "Proposes an external action (open an issue, post a message, call a webhook) through an integration the " +
      "agent declares; depending on the agent's autonomy it is drafted, waits for approval, or is carried out.",
    input: z
      .object({
        action: z.string().regex(/^[a-z][a-z0-9_.-]{1,63}$/, "action must be a declared action name"),
        title: z.string().trim().min(1).max(200),
        body: z.string().max(20_000),
        severity: z.enum(FINDING_SEVERITIES).optional(),
        /** For integration actions (e.g. `jira.create_issue`): which connection, when the tenant has several. */
        connection: z.string().trim().min(1).max(100).optional(),
      })
      .strict(),
    output: z.object({
      action: z.string(),
      /** queued: handed to an integration's delivery job (see the run's deliveries). */
      state: z.enum(["drafted", "approved", "rejected", "carried_out", "queued"]),
      detail: z.string(),
    }),
    external: true,
  },
} as const satisfies Record<string, AgentToolDefinition>;

export interface AgentToolDefinition {
  title: string;
  description: string;
  input: z.ZodType;
  output: z.ZodType;
  /** Acts outside TechScanIQ: drafted under `suggest`, paused for approval under `approve`. */
  external: boolean;
}

export type AgentToolName = keyof typeof AGENT_TOOLS;
export const AGENT_TOOL_NAMES = Object.keys(AGENT_TOOLS) as [AgentToolName, ...AgentToolName[]];
export const AgentToolName = z.enum(AGENT_TOOL_NAMES, {
  error: (issue) => `unknown tool ${JSON.stringify(issue.input)}; tools: ${AGENT_TOOL_NAMES.join(", ")}`,
});
export type AgentToolInput<Name extends AgentToolName> = z.output<(typeof AGENT_TOOLS)[Name]["input"]>;
export type AgentToolOutput<Name extends AgentToolName> = z.output<(typeof AGENT_TOOLS)[Name]["output"]>;

/** A tool as a model sees it (function calling): name, description and the JSON Schema of its input. */
export interface AgentToolDeclaration {
  name: AgentToolName;
  description: string;
  parameters: Record<string, unknown>;
}

export function agentToolDeclarations(names: readonly AgentToolName[]): AgentToolDeclaration[] {
  return names.map((name) => ({
    name,
    description: AGENT_TOOLS[name].description,
    parameters: z.toJSONSchema(AGENT_TOOLS[name].input, { io: "input" }) as Record<string, unknown>,
  }));
}
