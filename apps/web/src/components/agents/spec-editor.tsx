"use client";

import {
  AGENT_AUTONOMIES,
  AGENT_TOOL_NAMES,
  AGENT_TOOLS,
  type AgentSpec,
} from "@techscaniq/contracts/agents";
import { useState, type FormEvent } from "react";
import { Button } from "../ui/button";
import { FieldError } from "../ui/field-error";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { TextField } from "../ui/text-field";
import { Textarea } from "../ui/textarea";
import { specFormOf, specFromForm, type SpecForm, type SpecFormField } from "./spec-form";

/**
 * Edits an agent spec field by field; each problem (checked here with AgentSpec, and by the API) shows
 * under its field. Saving hands a valid spec to `onSave`; nothing invalid leaves the form.
 */
export function SpecEditor({
  spec,
  onSave,
  saveLabel,
  pending,
  apiErrors,
  readOnly = false,
  testId = "spec-editor",
}: {
  spec: AgentSpec;
  onSave: (spec: AgentSpec) => void;
  saveLabel: string;
  pending: boolean;
  apiErrors?: Partial<Record<SpecFormField, string[]>>;
  readOnly?: boolean;
  testId?: string;
}) {
  const [form, setForm] = useState<SpecForm>(() => specFormOf(spec));
  const [errors, setErrors] = useState<Partial<Record<SpecFormField, string[]>>>({});
  const shown = { ...apiErrors, ...errors };
  const set = <Key extends keyof SpecForm>(key: Key, value: SpecForm[Key]) =>
    setForm((current) => ({ ...current, [key]: value }));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = specFromForm(form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    onSave(result.spec);
  }

  const area = (field: "instructions" | "inputSchema" | "plan", label: string, rows: number) => (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`${testId}-${field}`}>{label}</Label>
      <Textarea
        id={`${testId}-${field}`}
        name={field}
        rows={rows}
        value={form[field]}
        readOnly={readOnly}
        onChange={(event) => set(field, event.target.value)}
        aria-invalid={shown[field] ? true : undefined}
        aria-describedby={shown[field] ? `${testId}-${field}-error` : undefined}
        className={field === "instructions" ? undefined : "font-mono text-xs"}
      />
      <FieldError id={`${testId}-${field}-error`} messages={shown[field]} />
    </div>
  );

  return (
    <form className="flex flex-col gap-4" onSubmit={submit} data-testid={testId} noValidate>
      {area("instructions", "Instructions", 6)}
      <fieldset className="flex flex-col gap-1.5">
        <legend className="text-sm font-medium">Tools</legend>
        <div className="grid gap-1.5 sm:grid-cols-2">
          {AGENT_TOOL_NAMES.map((tool) => (
            <label key={tool} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="tools"
                value={tool}
                disabled={readOnly}
                checked={form.tools.includes(tool)}
                onChange={(event) =>
                  set(
                    "tools",
                    event.target.checked ? [...form.tools, tool] : form.tools.filter((name) => name !== tool),
                  )
                }
              />
              <span>{AGENT_TOOLS[tool].title}</span>
              <span className="font-mono text-xs text-muted-foreground">{tool}</span>
            </label>
          ))}
        </div>
        <FieldError id={`${testId}-tools-error`} messages={shown.tools} />
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${testId}-autonomy`}>Autonomy</Label>
          <Select
            id={`${testId}-autonomy`}
            name="autonomy"
            value={form.autonomy}
            disabled={readOnly}
            onChange={(event) => set("autonomy", event.target.value)}
          >
            {AGENT_AUTONOMIES.map((autonomy) => (
              <option key={autonomy} value={autonomy}>
                {autonomy}
              </option>
            ))}
          </Select>
          <FieldError id={`${testId}-autonomy-error`} messages={shown.autonomy} />
        </div>
        <TextField
          name={`${testId}-actions`}
          label="Actions it may propose (comma-separated)"
          value={form.actions}
          readOnly={readOnly}
          onChange={(event) => set("actions", event.target.value)}
          errors={shown.actions}
        />
        <TextField
          name={`${testId}-maxTokens`}
          label="Budget: tokens per run"
          inputMode="numeric"
          value={form.maxTokens}
          readOnly={readOnly}
          onChange={(event) => set("maxTokens", event.target.value)}
          errors={shown.maxTokens}
        />
        <TextField
          name={`${testId}-maxUsd`}
          label="Budget: USD per run"
          inputMode="decimal"
          value={form.maxUsd}
          readOnly={readOnly}
          onChange={(event) => set("maxUsd", event.target.value)}
          errors={shown.maxUsd}
        />
        <TextField
          name={`${testId}-maxSteps`}
          label="Step limit"
          inputMode="numeric"
          value={form.maxSteps}
          readOnly={readOnly}
          onChange={(event) => set("maxSteps", event.target.value)}
          errors={shown.maxSteps}
        />
      </div>
      {area("inputSchema", "Input schema (JSON Schema)", 8)}
      {area("plan", "Offline plan (JSON)", 6)}
      <FieldError id={`${testId}-spec-error`} messages={shown.spec} />
      {readOnly ? null : (
        <div>
          <Button type="submit" pending={pending}>
            {saveLabel}
          </Button>
        </div>
      )}
    </form>
  );
}
