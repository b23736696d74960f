"use client";

import {
  AGENT_TEMPLATES,
  DIAGRAM_MAX_BYTES,
  type AgentSpec,
  type DesignAnalysis,
  type DesignInteraction,
} from "@techscaniq/contracts/agents";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type ChangeEvent } from "react";
import { errorBodyOf, errorMessageOf } from "../../lib/api-error";
import { trpc } from "../../lib/trpc";
import { Button, buttonClasses } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FieldError, FormAlert } from "../ui/field-error";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { SkeletonRows } from "../ui/skeleton";
import { ErrorState } from "../ui/states";
import { Textarea } from "../ui/textarea";
import { parseJsonObject, sampleInput } from "./json-input";
import { PromptView, type PromptShape } from "./prompt-view";
import { SpecEditor } from "./spec-editor";
import { specErrorsFromApi } from "./spec-form";

const PROPOSED_AGENT_GRID =
  "grid gap-3 rounded-(--radius-control) border border-border p-3 sm:grid-cols-[1fr_14rem_auto]";

const STEPS = ["Describe", "Analysis", "Interactions", "Compile and create"] as const;

/** Bytes of a chosen file as base64, for the image step. */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

/**
 * The design wizard: describe the need, review the analysis, the hand-offs and the compiled specs, each
 * editable before the next step; every step's output is stored in a design session (?session=<id>), so a
 * person can come back. It ends in a published agent.
 */
export function DesignWizard() {
  const router = useRouter();
  const pathname = usePathname();
  const sessionId = useSearchParams().get("session");
  const session = trpc.design.get.useQuery(
    { sessionId: sessionId ?? "" },
    {
      enabled: Boolean(sessionId),
      // A diagram is analysed by the worker: the session is polled until its analysis is written.
      refetchInterval: (query) => (query.state.data?.image?.status === "analysing" ? 2000 : false),
    },
  );
  const recent = trpc.design.list.useQuery(undefined, { enabled: !sessionId });
  const open = (id: string) => router.push(`${pathname}?session=${id}`);

  if (!sessionId)
    return (
      <div className="flex flex-col gap-6">
        <StepBar current={0} />
        <DescribeStep onStarted={open} />
        {recent.data && recent.data.length > 0 ? (
          <section className="flex flex-col gap-2" aria-labelledby="recent-designs">
            <h2 id="recent-designs" className="text-lg font-semibold">
              Earlier designs
            </h2>
            <ul className="flex flex-col gap-1 text-sm">
              {recent.data.map((entry) => (
                <li key={entry.id}>
                  <Link href={`${pathname}?session=${entry.id}`} className="text-primary hover:underline">
                    {entry.title}
                  </Link>
                  <span className="text-muted-foreground">
                    {" "}
                    · {entry.source} · {entry.createdAgentIds.length} agent(s) created
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    );
  if (session.error) return <ErrorState message={errorMessageOf(session.error)} />;
  if (!session.data) return <SkeletonRows label="Loading the design" />;
  const data = session.data;
  if (data.image && data.image.status !== "analysed")
    return (
      <div className="flex flex-col gap-6" data-testid="design-session" data-step={STEPS[0]}>
        <StepBar current={0} />
        {data.image.status === "analysing" ? (
          <p role="status" className="text-sm text-muted-foreground" data-testid="image-analysing">
            Analysing {data.sourceName ?? "the diagram"}…
          </p>
        ) : data.image.status === "unanalysed" ? (
          <p role="status" className="text-sm text-warning" data-testid="image-unanalysed">
            {data.image.error}
          </p>
        ) : (
          <FormAlert
            message={`The diagram could not be analysed: ${data.image.error ?? "unknown failure"}`}
          />
        )}
        <Link href={pathname} className="text-sm text-primary hover:underline">
          Start another design
        </Link>
      </div>
    );
  const current = data.compiled ? 3 : data.interactions ? 2 : 1;
  return (
    <div className="flex flex-col gap-6" data-testid="design-session" data-step={STEPS[current]}>
      <StepBar current={current} />
      <p className="text-sm text-muted-foreground">
        <span className="font-medium text-foreground">{data.title}</span> ·{" "}
        <Link href={pathname} className="text-primary hover:underline">
          start another design
        </Link>
      </p>
      {/* Keyed on the stored output, so a step's editable copy resets when the step before it reruns. */}
      <AnalysisStep key={`a-${data.updatedAt}`} sessionId={data.id} analysis={data.analysis} />
      {data.interactions ? (
        <InteractionsStep key={`i-${data.updatedAt}`} sessionId={data.id} interactions={data.interactions} />
      ) : null}
      {data.compiled
        ? data.compiled.map((agent) => (
            <CompiledAgentStep
              key={`c-${data.updatedAt}-${agent.key}`}
              sessionId={data.id}
              agent={agent}
              created={data.createdAgentIds}
            />
          ))
        : null}
    </div>
  );
}

function StepBar({ current }: { current: number }) {
  return (
    <ol className="flex flex-wrap gap-2 text-sm" aria-label="Wizard steps">
      {STEPS.map((step, index) => (
        <li
          key={step}
          aria-current={index === current ? "step" : undefined}
          className={
            index === current
              ? "rounded-full bg-primary px-3 py-1 text-primary-foreground"
              : "rounded-full bg-muted px-3 py-1 text-muted-foreground"
          }
        >
          {index + 1}. {step}
        </li>
      ))}
    </ol>
  );
}

function DescribeStep({ onStarted }: { onStarted: (sessionId: string) => void }) {
  const [text, setText] = useState("");
  const analyzeText = trpc.design.analyzeText.useMutation({ onSuccess: (session) => onStarted(session.id) });
  const analyzeModel = trpc.design.analyzeModel.useMutation({
    onSuccess: (session) => onStarted(session.id),
  });
  const analyzeImage = trpc.design.analyzeImage.useMutation({
    onSuccess: (answer) => onStarted(answer.sessionId),
  });
  // A diagram over the limit is refused here, before it is read and sent (the API refuses it too).
  const [imageTooLarge, setImageTooLarge] = useState(false);
  const textErrors = analyzeText.error ? errorBodyOf(analyzeText.error).error : null;

  async function chooseModel(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file) analyzeModel.mutate({ fileName: file.name, content: await file.text() });
  }
  async function chooseImage(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    analyzeImage.reset();
    setImageTooLarge(file.size > DIAGRAM_MAX_BYTES);
    if (file.size <= DIAGRAM_MAX_BYTES)
      analyzeImage.mutate({ fileName: file.name, contentBase64: await base64Of(file) });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">Describe what the agents should do</CardTitle>
        <CardDescription>
          In prose, or as a capability model (ArchiMate Open Exchange XML or CSV with a name column), or as a
          diagram. The designer maps each capability onto an agent template.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        <form
          className="flex flex-col gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            analyzeText.mutate({ text });
          }}
        >
          <Label htmlFor="design-text">Requirements</Label>
          <Textarea
            id="design-text"
            name="text"
            rows={6}
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="Watch our portfolio companies' technology stack and flag security regressions…"
            aria-invalid={textErrors ? true : undefined}
            aria-describedby={textErrors ? "design-text-error" : undefined}
          />
          <FieldError id="design-text-error" messages={textErrors ? [textErrors.message] : undefined} />
          <div>
            <Button type="submit" pending={analyzeText.isPending}>
              Analyse
            </Button>
          </div>
        </form>
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="design-model">Capability model file</Label>
            <Input
              id="design-model"
              type="file"
              accept=".xml,.csv,text/xml,text/csv"
              onChange={chooseModel}
            />
            <FieldError
              id="design-model-error"
              messages={analyzeModel.error ? [errorMessageOf(analyzeModel.error)] : undefined}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="design-image">Process or architecture diagram (PNG, JPEG, WebP)</Label>
            <Input
              id="design-image"
              type="file"
              accept="image/png,image/jpeg,image/webp"
              onChange={chooseImage}
            />
            <FieldError
              id="design-image-error"
              messages={
                imageTooLarge
                  ? ["the image is larger than 10 MB"]
                  : analyzeImage.error
                    ? [errorMessageOf(analyzeImage.error)]
                    : undefined
              }
            />
          </div>
        </div>
      </CardContent>
    </Card>
  );
}

function AnalysisStep({ sessionId, analysis }: { sessionId: string; analysis: DesignAnalysis }) {
  const utils = trpc.useUtils();
  const [agents, setAgents] = useState(analysis.agents);
  const generate = trpc.design.generateInteractions.useMutation({
    onSuccess: (session) => utils.design.get.setData({ sessionId }, session),
  });
  const update = (index: number, change: Partial<DesignAnalysis["agents"][number]>) =>
    setAgents((current) => current.map((agent, at) => (at === index ? { ...agent, ...change } : agent)));

  return (
    <Card data-testid="analysis-step">
      <CardHeader>
        <CardTitle className="text-lg">Analysis</CardTitle>
        <CardDescription>
          {analysis.capabilities.length} capabilities found; those no template covers are left out. Rename the
          proposed agents, change their template or drop one, then generate the hand-offs.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <ul className="flex flex-col gap-1 text-sm" aria-label="Capabilities">
          {analysis.capabilities.map((capability) => (
            <li key={capability.id}>
              <span className="font-medium">{capability.name}</span>
              <span className="text-muted-foreground"> → {capability.templateId ?? "no template"}</span>
            </li>
          ))}
        </ul>
        {agents.map((agent, index) => (
          <fieldset
            key={agent.key}
            className={PROPOSED_AGENT_GRID}
            data-testid={`proposed-agent-${agent.key}`}
          >
            <legend className="sr-only">Proposed agent {agent.key}</legend>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`agent-name-${agent.key}`}>Name</Label>
              <Input
                id={`agent-name-${agent.key}`}
                value={agent.name}
                onChange={(event) => update(index, { name: event.target.value })}
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`agent-template-${agent.key}`}>Template</Label>
              <Select
                id={`agent-template-${agent.key}`}
                value={agent.templateId}
                onChange={(event) =>
                  update(index, { templateId: event.target.value as typeof agent.templateId })
                }
              >
                {AGENT_TEMPLATES.map((template) => (
                  <option key={template.id} value={template.id}>
                    {template.title}
                  </option>
                ))}
              </Select>
            </div>
            <div className="flex items-end">
              <Button
                variant="ghost"
                onClick={() => setAgents((current) => current.filter((_, at) => at !== index))}
              >
                Drop
              </Button>
            </div>
            <p className="text-xs text-muted-foreground sm:col-span-3">{agent.rationale}</p>
          </fieldset>
        ))}
        <FormAlert message={generate.error ? errorMessageOf(generate.error) : null} />
        <div>
          <Button
            onClick={() => generate.mutate({ sessionId, analysis: { ...analysis, agents } })}
            pending={generate.isPending}
          >
            Generate interactions
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

function InteractionsStep({
  sessionId,
  interactions,
}: {
  sessionId: string;
  interactions: DesignInteraction[];
}) {
  const utils = trpc.useUtils();
  const [drafts, setDrafts] = useState(() =>
    interactions.map((interaction) => ({
      ...interaction,
      schemaText: JSON.stringify(interaction.messageSchema, null, 2),
    })),
  );
  const [schemaErrors, setSchemaErrors] = useState<Record<number, string>>({});
  const compile = trpc.design.compile.useMutation({
    onSuccess: (session) => utils.design.get.setData({ sessionId }, session),
  });

  function submit() {
    const errors: Record<number, string> = {};
    const edited = drafts.map(({ schemaText, ...interaction }, index) => {
      const parsed = parseJsonObject(schemaText);
      if (!parsed.ok) errors[index] = parsed.error;
      return { ...interaction, messageSchema: parsed.ok ? parsed.value : {} };
    });
    setSchemaErrors(errors);
    if (Object.keys(errors).length === 0) compile.mutate({ sessionId, interactions: edited });
  }

  return (
    <Card data-testid="interactions-step">
      <CardHeader>
        <CardTitle className="text-lg">Interactions</CardTitle>
        <CardDescription>
          What each agent hands to another, with the JSON Schema of the message. Edit or remove them, then
          compile.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {drafts.length === 0 ? (
          <p className="text-sm text-muted-foreground">One agent: no hand-offs.</p>
        ) : null}
        {drafts.map((draft, index) => (
          <div key={`${draft.from}>${draft.to}`} className="flex flex-col gap-2" data-testid="interaction">
            <p className="text-sm font-medium">
              {draft.from} → {draft.to}
            </p>
            <Textarea
              aria-label={`Hand-off ${draft.from} to ${draft.to}`}
              rows={2}
              value={draft.description}
              onChange={(event) =>
                setDrafts((current) =>
                  current.map((item, at) =>
                    at === index ? { ...item, description: event.target.value } : item,
                  ),
                )
              }
            />
            <Textarea
              aria-label={`Message schema ${draft.from} to ${draft.to}`}
              className="font-mono text-xs"
              rows={6}
              value={draft.schemaText}
              onChange={(event) =>
                setDrafts((current) =>
                  current.map((item, at) =>
                    at === index ? { ...item, schemaText: event.target.value } : item,
                  ),
                )
              }
            />
            <FieldError
              id={`interaction-${index}-error`}
              messages={schemaErrors[index] ? [schemaErrors[index]] : undefined}
            />
            <div>
              <Button
                variant="ghost"
                size="sm"
                onClick={() => setDrafts((current) => current.filter((_, at) => at !== index))}
              >
                Remove
              </Button>
            </div>
          </div>
        ))}
        <FormAlert message={compile.error ? errorMessageOf(compile.error) : null} />
        <div>
          <Button onClick={submit} pending={compile.isPending}>
            Compile
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

function CompiledAgentStep({
  sessionId,
  agent,
  created,
}: {
  sessionId: string;
  agent: { key: string; name: string; description: string; spec: AgentSpec };
  created: string[];
}) {
  const utils = trpc.useUtils();
  const [name, setName] = useState(agent.name);
  const [spec, setSpec] = useState(agent.spec);
  const [inputText, setInputText] = useState(() =>
    JSON.stringify(sampleInput(agent.spec.inputSchema), null, 2),
  );
  const [inputError, setInputError] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<PromptShape | null>(null);
  const [createdAgentId, setCreatedAgentId] = useState<string | null>(null);
  const createAgent = trpc.design.createAgent.useMutation({
    onSuccess: (result) => {
      setCreatedAgentId(result.agentId);
      // Not a refetch: a new updatedAt would remount the steps and drop what the person sees here.
      utils.design.get.setData({ sessionId }, (session) =>
        session ? { ...session, createdAgentIds: [...session.createdAgentIds, result.agentId] } : session,
      );
    },
  });

  async function showPrompt() {
    const parsed = parseJsonObject(inputText);
    if (!parsed.ok) {
      setInputError(parsed.error);
      return;
    }
    setInputError(null);
    try {
      setPrompt(
        await utils.design.promptPreview.fetch({ sessionId, agentKey: agent.key, spec, input: parsed.value }),
      );
    } catch (error) {
      setInputError(errorMessageOf(error));
    }
  }

  return (
    <Card data-testid={`compiled-agent-${agent.key}`}>
      <CardHeader>
        <CardTitle className="text-lg">Compiled: {name}</CardTitle>
        <CardDescription>{agent.description}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`compiled-name-${agent.key}`}>Agent name</Label>
          <Input
            id={`compiled-name-${agent.key}`}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <SpecEditor
          spec={spec}
          testId={`compiled-spec-${agent.key}`}
          saveLabel="Create and publish"
          pending={createAgent.isPending}
          apiErrors={
            createAgent.error ? specErrorsFromApi(errorBodyOf(createAgent.error).error.fieldErrors) : {}
          }
          onSave={(edited) => {
            setSpec(edited);
            createAgent.mutate({ sessionId, agentKey: agent.key, name, spec: edited });
          }}
        />
        <FormAlert message={createAgent.error ? errorMessageOf(createAgent.error) : null} />
        {createdAgentId ? (
          <p role="status" className="text-sm" data-testid="created-agent">
            Published as version 1.{" "}
            <Link href={`/agents/${createdAgentId}`} className={buttonClasses("secondary", "sm")}>
              Open the agent
            </Link>
          </p>
        ) : created.length > 0 ? (
          <p className="text-sm text-muted-foreground">
            Agents created from this design:{" "}
            {created.map((id, index) => (
              <Link key={id} href={`/agents/${id}`} className="mr-2 text-primary hover:underline">
                agent {index + 1}
              </Link>
            ))}
          </p>
        ) : null}
        <div className="flex flex-col gap-2">
          <Label htmlFor={`preview-input-${agent.key}`}>Run input for the prompt preview (JSON)</Label>
          <Textarea
            id={`preview-input-${agent.key}`}
            className="font-mono text-xs"
            rows={4}
            value={inputText}
            onChange={(event) => setInputText(event.target.value)}
            aria-invalid={inputError ? true : undefined}
          />
          <FieldError
            id={`preview-input-${agent.key}-error`}
            messages={inputError ? [inputError] : undefined}
          />
          <div>
            <Button variant="secondary" onClick={() => void showPrompt()}>
              Preview prompt
            </Button>
          </div>
          {prompt ? <PromptView prompt={prompt} /> : null}
        </div>
      </CardContent>
    </Card>
  );
}
