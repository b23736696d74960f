"use client";

import { useState, type FormEvent } from "react";
import {
  errorBodyOf,
  errorMessageOf,
  noFormErrors,
  toFormErrors,
  type FormErrors,
} from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import type { RouterOutputs } from "@techscaniq/api/client";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FieldError, FormAlert } from "../ui/field-error";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { SkeletonRows } from "../ui/skeleton";
import { ErrorState } from "../ui/states";
import { TextField } from "../ui/text-field";

type Settings = RouterOutputs["aiSettings"]["get"];
type KeyedProvider = keyof Settings["providers"];
type Provider = Settings["disabledProviders"][number];

const PROVIDERS: { id: KeyedProvider; name: string; modelHint: string; baseUrlHint: string }[] = [
  {
    id: "openai",
    name: "OpenAI",
    modelHint: "e.g. gpt-4o-mini",
    baseUrlHint: "Optional: a gateway in front of the OpenAI API.",
  },
  {
    id: "anthropic",
    name: "Anthropic",
    modelHint: "e.g. claude-haiku-4-5",
    baseUrlHint: "Optional: a gateway in front of the Anthropic API.",
  },
  {
    id: "local",
    name: "OpenAI-compatible server",
    modelHint: "e.g. llama3.1",
    baseUrlHint: "Your vLLM, Ollama or LM Studio server, e.g. https://models.example.com/v1.",
  },
];
const PROVIDER_NAMES: Record<Provider, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  local: "OpenAI-compatible server",
  offline: "Offline analyst",
};
type Task = keyof Settings["taskProviders"];
const TASKS = [
  { id: "writeSection", label: "Writing report sections" },
  { id: "verifyClaim", label: "Verifying claims" },
  { id: "rewriteClaim", label: "Rewriting rejected claims" },
  { id: "summarise", label: "Executive summary" },
  { id: "scoreThesis", label: "Thesis scoring" },
] as const satisfies readonly { id: Task; label: string }[];

function KeyStatus({ keyView }: { keyView: Settings["providers"][KeyedProvider]["key"] }) {
  if (keyView.source === "stored")
    return (
      <span className="flex items-center gap-2 text-sm" data-testid="ai-key-status">
        <Badge tone="success">Key set</Badge>
        <span className="text-muted-foreground">
          ends in <span className="font-mono">{keyView.last4}</span>
        </span>
      </span>
    );
  if (keyView.source === "operator")
    return (
      <span className="flex items-center gap-2 text-sm" data-testid="ai-key-status">
        <Badge tone="success">Provided by the operator</Badge>
        <span className="text-muted-foreground">
          ends in <span className="font-mono">{keyView.last4}</span>; used only with the operator&apos;s base
          URL
        </span>
      </span>
    );
  return (
    <span className="flex items-center gap-2 text-sm" data-testid="ai-key-status">
      <Badge tone="neutral">Not set</Badge>
      <span className="text-muted-foreground">the deployment&apos;s key is used, if it has one</span>
    </span>
  );
}

/** One provider: key (write-only: set, replace, clear), model and base URL. */
function ProviderForm({
  provider,
  current,
  canEdit,
}: {
  provider: (typeof PROVIDERS)[number];
  current: Settings["providers"][KeyedProvider];
  canEdit: boolean;
}) {
  const utils = trpc.useUtils();
  const [apiKey, setApiKey] = useState("");
  const [model, setModel] = useState(current.model ?? "");
  const [baseUrl, setBaseUrl] = useState(current.baseUrl ?? "");
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const onSuccess = (settings: Settings) => utils.aiSettings.get.setData(undefined, settings);
  const update = trpc.aiSettings.update.useMutation({ onSuccess });
  const clearKey = trpc.aiSettings.clearKey.useMutation({ onSuccess });
  const field = (name: string) => `providers.${provider.id}.${name}`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    try {
      await update.mutateAsync({
        providers: {
          [provider.id]: {
            model: model.trim() || null,
            baseUrl: baseUrl.trim() || null,
            ...(apiKey ? { apiKey } : {}),
          },
        },
      });
      setApiKey("");
    } catch (error) {
      setErrors(toFormErrors(errorBodyOf(error), [field("apiKey"), field("model"), field("baseUrl")]));
    }
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={`${provider.name} settings`}
      className="flex flex-col gap-3 rounded-(--radius-control) border border-border p-4"
      data-testid={`ai-provider-${provider.id}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-semibold">{provider.name}</h3>
        <KeyStatus keyView={current.key} />
      </div>
      <FormAlert message={errors.message} />
      <fieldset disabled={!canEdit} className="grid gap-3 sm:grid-cols-2">
        <TextField
          name={`${provider.id}-apiKey`}
          label={current.key.source === "stored" ? "Replace API key" : "API key"}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          errors={errors.fields[field("apiKey")]}
          hint="Stored encrypted. It is never shown again, only its last 4 characters."
        />
        <TextField
          name={`${provider.id}-model`}
          label="Model"
          placeholder={provider.modelHint}
          value={model}
          onChange={(event) => setModel(event.target.value)}
          errors={errors.fields[field("model")]}
        />
        <div className="sm:col-span-2">
          <TextField
            name={`${provider.id}-baseUrl`}
            label="Base URL"
            type="url"
            inputMode="url"
            value={baseUrl}
            onChange={(event) => setBaseUrl(event.target.value)}
            errors={errors.fields[field("baseUrl")]}
            hint={provider.baseUrlHint}
          />
        </div>
      </fieldset>
      {canEdit ? (
        <div className="flex flex-wrap gap-2">
          <Button type="submit" size="sm" pending={update.isPending}>
            Save {provider.name}
          </Button>
          {current.key.source !== "none" ? (
            <Button
              variant="secondary"
              size="sm"
              pending={clearKey.isPending}
              onClick={() => clearKey.mutate({ provider: provider.id })}
              aria-label={`Clear the ${provider.name} key`}
            >
              Clear key
            </Button>
          ) : null}
        </div>
      ) : null}
      {clearKey.error ? (
        <FieldError id={`${provider.id}-clear-error`} messages={[errorMessageOf(clearKey.error)]} />
      ) : null}
    </form>
  );
}

/** Which provider answers each task (then the offline analyst), and the token budget per report. */
function RoutingForm({ settings, canEdit }: { settings: Settings; canEdit: boolean }) {
  const utils = trpc.useUtils();
  const [choices, setChoices] = useState<Record<Task, Provider | "">>(
    () =>
      Object.fromEntries(
        TASKS.map((task) => [task.id, settings.taskProviders[task.id]?.[0] ?? ""]),
      ) as Record<Task, Provider | "">,
  );
  const [budget, setBudget] = useState(settings.reportTokenBudget ? String(settings.reportTokenBudget) : "");
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const update = trpc.aiSettings.update.useMutation({
    onSuccess: (saved) => utils.aiSettings.get.setData(undefined, saved),
  });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    const taskProviders = Object.fromEntries(
      TASKS.map((task) => {
        const choice = choices[task.id];
        return [task.id, choice === "" ? null : choice === "offline" ? ["offline"] : [choice, "offline"]];
      }),
    ) as Record<Task, Provider[] | null>;
    try {
      await update.mutateAsync({
        taskProviders,
        reportTokenBudget: budget.trim() === "" ? null : Number(budget),
      });
    } catch (error) {
      setErrors(
        toFormErrors(errorBodyOf(error), [
          "reportTokenBudget",
          ...TASKS.map((task) => `taskProviders.${task.id}`),
        ]),
      );
    }
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label="Provider per task"
      className="flex flex-col gap-3 rounded-(--radius-control) border border-border p-4"
    >
      <h3 className="text-sm font-semibold">Provider per task</h3>
      <p className="text-xs text-muted-foreground">
        The chosen provider answers first; the offline analyst takes over when it fails. &ldquo;Default&rdquo;
        follows the deployment&apos;s order.
      </p>
      <FormAlert message={errors.message} />
      <fieldset disabled={!canEdit} className="grid gap-3 sm:grid-cols-2">
        {TASKS.map((task) => {
          const id = `field-task-${task.id}`;
          const messages = errors.fields[`taskProviders.${task.id}`];
          return (
            <div key={task.id} className="flex flex-col gap-1.5">
              <Label htmlFor={id}>{task.label}</Label>
              <Select
                id={id}
                value={choices[task.id]}
                aria-invalid={messages ? true : undefined}
                aria-describedby={messages ? `${id}-error` : undefined}
                onChange={(event) =>
                  setChoices((current) => ({ ...current, [task.id]: event.target.value as Provider | "" }))
                }
              >
                <option value="">Default</option>
                {(Object.keys(PROVIDER_NAMES) as Provider[]).map((provider) => (
                  <option key={provider} value={provider}>
                    {PROVIDER_NAMES[provider]}
                  </option>
                ))}
              </Select>
              <FieldError id={`${id}-error`} messages={messages} />
            </div>
          );
        })}
        <TextField
          name="reportTokenBudget"
          label="Token budget per report"
          type="number"
          inputMode="numeric"
          min={1000}
          step={1000}
          placeholder="Deployment default"
          value={budget}
          onChange={(event) => setBudget(event.target.value)}
          errors={errors.fields.reportTokenBudget}
          hint="Input and output tokens one report may spend across all its model calls."
        />
      </fieldset>
      {canEdit ? (
        <Button type="submit" size="sm" pending={update.isPending} className="self-start">
          Save routing
        </Button>
      ) : null}
    </form>
  );
}

export function AiSettings() {
  const settings = trpc.aiSettings.get.useQuery();
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">AI providers</CardTitle>
        <CardDescription>
          Bring your own keys and models for this workspace. Keys are encrypted at rest and never sent back to
          the browser. Without any, reports are written by the deployment&apos;s providers or the offline
          analyst.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {settings.isPending ? (
          <SkeletonRows rows={3} label="Loading AI provider settings" />
        ) : settings.isError ? (
          <ErrorState message={errorMessageOf(settings.error)} />
        ) : (
          <>
            {!settings.data.canEdit ? (
              <p className="text-sm text-muted-foreground">
                Only owners and admins can change these settings.
              </p>
            ) : null}
            {PROVIDERS.map((provider) => (
              <ProviderForm
                key={`${provider.id}-${settings.data.updatedAt ?? "default"}`}
                provider={provider}
                current={settings.data.providers[provider.id]}
                canEdit={settings.data.canEdit}
              />
            ))}
            <RoutingForm
              key={settings.data.updatedAt ?? "default"}
              settings={settings.data}
              canEdit={settings.data.canEdit}
            />
            {settings.data.updatedAt ? (
              <p className="text-xs text-muted-foreground">
                Last changed {formatDateTime(settings.data.updatedAt)}.
              </p>
            ) : null}
          </>
        )}
      </CardContent>
    </Card>
  );
}
