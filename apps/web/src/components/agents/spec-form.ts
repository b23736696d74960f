import { AgentSpec, type AgentSpecInput } from "@techscaniq/contracts/agents";

/**
 * The spec editor's form state: plain strings and flags a person edits, turned into an AgentSpec with
 * every problem named by the form field that shows it. Pure, so it is tested without a browser.
 */

export interface SpecForm {
  instructions: string;
  tools: string[];
  autonomy: string;
  maxTokens: string;
  maxUsd: string;
  maxSteps: string;
  /** Comma-separated action names. */
  actions: string;
  report: boolean;
  findings: boolean;
  /** JSON text. */
  inputSchema: string;
  /** JSON text. */
  plan: string;
  modelRoute: AgentSpec["modelRoute"];
  template: string | null;
}

export type SpecFormField =
  | "instructions"
  | "tools"
  | "autonomy"
  | "maxTokens"
  | "maxUsd"
  | "maxSteps"
  | "actions"
  | "inputSchema"
  | "plan"
  | "spec";

export type SpecFormResult =
  { ok: true; spec: AgentSpec } | { ok: false; errors: Partial<Record<SpecFormField, string[]>> };

export function specFormOf(spec: AgentSpec): SpecForm {
  return {
    instructions: spec.instructions,
    tools: [...spec.tools],
    autonomy: spec.autonomy,
    maxTokens: String(spec.budget.maxTokens),
    maxUsd: String(spec.budget.maxUsd),
    maxSteps: String(spec.maxSteps),
    actions: spec.outputs.actions.join(", "),
    report: spec.outputs.report,
    findings: spec.outputs.findings,
    inputSchema: JSON.stringify(spec.inputSchema, null, 2),
    plan: JSON.stringify(spec.plan, null, 2),
    modelRoute: spec.modelRoute,
    template: spec.template,
  };
}

/** Which form field shows an issue at this spec path. */
function fieldOf(path: readonly PropertyKey[]): SpecFormField {
  const [head, next] = path.map(String);
  if (head === "budget") return next === "maxUsd" ? "maxUsd" : "maxTokens";
  if (head === "outputs") return "actions";
  const direct: SpecFormField[] = ["instructions", "tools", "autonomy", "maxSteps", "inputSchema", "plan"];
  return direct.find((field) => field === head) ?? "spec";
}

/** A number box: empty or not a number is the field's own error, not a NaN sent on. */
function numberIn(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function specFromForm(form: SpecForm): SpecFormResult {
  const errors: Partial<Record<SpecFormField, string[]>> = {};
  const add = (field: SpecFormField, message: string) => (errors[field] ??= []).push(message);
  const json = (field: "inputSchema" | "plan", text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      add(field, `is not valid JSON: ${(error as Error).message}`);
      return undefined;
    }
  };
  const numbers = {
    maxTokens: numberIn(form.maxTokens),
    maxUsd: numberIn(form.maxUsd),
    maxSteps: numberIn(form.maxSteps),
  };
  for (const [field, value] of Object.entries(numbers))
    if (value === undefined) add(field as SpecFormField, "must be a number");
  const inputSchema = json("inputSchema", form.inputSchema);
  const plan = json("plan", form.plan);
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const candidate = {
    instructions: form.instructions,
    inputSchema,
    tools: form.tools,
    modelRoute: form.modelRoute,
    outputs: {
      report: form.report,
      findings: form.findings,
      actions: form.actions
        .split(",")
        .map((action) => action.trim())
        .filter(Boolean),
    },
    autonomy: form.autonomy,
    budget: { maxTokens: numbers.maxTokens, maxUsd: numbers.maxUsd },
    maxSteps: numbers.maxSteps,
    plan,
    template: form.template,
  } as AgentSpecInput;
  const parsed = AgentSpec.safeParse(candidate);
  if (parsed.success) return { ok: true, spec: parsed.data };
  for (const issue of parsed.error.issues) {
    const where = issue.path.length > 1 ? `${issue.path.map(String).join(".")}: ` : "";
    add(fieldOf(issue.path), `${where}${issue.message}`);
  }
  return { ok: false, errors };
}

/**
 * The API's field errors (`spec.budget.maxUsd`, `spec.plan.0.tool`) placed on the editor's fields;
 * anything else stays with the form.
 */
export function specErrorsFromApi(
  fieldErrors: Record<string, string[]> | null | undefined,
): Partial<Record<SpecFormField, string[]>> {
  const errors: Partial<Record<SpecFormField, string[]>> = {};
  for (const [path, messages] of Object.entries(fieldErrors ?? {})) {
    const parts = path.split(".");
    if (parts[0] !== "spec") continue;
    (errors[fieldOf(parts.slice(1))] ??= []).push(...messages);
  }
  return errors;
}
