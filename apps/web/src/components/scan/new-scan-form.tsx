"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorBodyOf, noFormErrors, toFormErrors, type FormErrors } from "../../lib/api-error";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { FieldError, FormAlert } from "../ui/field-error";
import { Label } from "../ui/label";
import { TextField } from "../ui/text-field";
import { Textarea } from "../ui/textarea";

const FIELDS = [
  "url",
  "thesis",
  "repositories",
  "options.maxPages",
  "options.renderCount",
  "options.maxDepth",
] as const;

/** The API names a bad repository by its index ("repositories.2"); the form shows them under the one textarea. */
function groupRepositoryErrors(fields: Record<string, string[]>): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(fields)) {
    const match = /^repositories\.(\d+)$/.exec(field);
    const key = match ? "repositories" : field;
    (grouped[key] ??= []).push(
      ...(match ? messages.map((message) => `line ${Number(match[1]) + 1}: ${message}`) : messages),
    );
  }
  return grouped;
}

/** An empty box means "use the default"; anything else goes to the API as a number for it to judge. */
const numberOrDefault = (text: string, fallback: number) => (text.trim() === "" ? fallback : Number(text));

export function NewScanForm() {
  const router = useRouter();
  const [url, setUrl] = useState("");
  const [thesis, setThesis] = useState("");
  const [repositories, setRepositories] = useState("");
  const [maxPages, setMaxPages] = useState("20");
  const [renderCount, setRenderCount] = useState("3");
  const [maxDepth, setMaxDepth] = useState("3");
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const create = trpc.scan.create.useMutation();
  const utils = trpc.useUtils();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    try {
      const scan = await create.mutateAsync({
        url,
        thesis: thesis.trim() === "" ? null : thesis,
        repositories: repositories
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean),
        options: {
          maxPages: numberOrDefault(maxPages, 20),
          renderCount: numberOrDefault(renderCount, 3),
          maxDepth: numberOrDefault(maxDepth, 3),
        },
      });
      await utils.scan.list.invalidate();
      router.push(`/scans/${scan.id}`);
    } catch (error) {
      const body = errorBodyOf(error);
      if (body.error.fieldErrors) body.error.fieldErrors = groupRepositoryErrors(body.error.fieldErrors);
      setErrors(toFormErrors(body, FIELDS));
    }
  }

  const advancedInvalid = Boolean(
    errors.fields["options.maxPages"] ??
    errors.fields["options.renderCount"] ??
    errors.fields["options.maxDepth"],
  );
  const repositoryErrors = errors.fields.repositories;
  const thesisErrors = errors.fields.thesis;

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label="New scan">
      <FormAlert message={errors.message} />
      <TextField
        name="url"
        label="Website"
        placeholder="https://www.example.com"
        inputMode="url"
        autoComplete="url"
        hint="The company's site. We crawl it politely: robots.txt, same site only."
        value={url}
        onChange={(event) => setUrl(event.target.value)}
        errors={errors.fields.url}
        required
      />
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="field-thesis">
          Investment thesis <span className="font-normal text-muted-foreground">(optional)</span>
        </Label>
        <Textarea
          id="field-thesis"
          name="thesis"
          rows={3}
          placeholder="e.g. A modern, cloud-native stack that can scale to 10× traffic without a rewrite."
          value={thesis}
          onChange={(event) => setThesis(event.target.value)}
          aria-invalid={thesisErrors ? true : undefined}
          aria-describedby={thesisErrors ? "field-thesis-error" : undefined}
        />
        <FieldError id="field-thesis-error" messages={thesisErrors} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="field-repositories">
          Code repositories{" "}
          <span className="font-normal text-muted-foreground">(optional, one per line)</span>
        </Label>
        <Textarea
          id="field-repositories"
          name="repositories"
          rows={2}
          placeholder="https://github.com/example/app"
          value={repositories}
          onChange={(event) => setRepositories(event.target.value)}
          aria-invalid={repositoryErrors ? true : undefined}
          aria-describedby={repositoryErrors ? "field-repositories-error" : undefined}
          className="font-mono text-xs"
        />
        <FieldError id="field-repositories-error" messages={repositoryErrors} />
      </div>
      <details
        className="group rounded-(--radius-control) border border-border px-3 py-2"
        open={advancedInvalid || undefined}
      >
        <summary className="cursor-pointer text-sm font-medium select-none">Advanced options</summary>
        <div className="mt-3 grid gap-3 pb-1 sm:grid-cols-3 lg:grid-cols-1">
          <TextField
            name="options.maxPages"
            label="Max pages"
            type="number"
            inputMode="numeric"
            min={1}
            max={200}
            value={maxPages}
            onChange={(event) => setMaxPages(event.target.value)}
            errors={errors.fields["options.maxPages"]}
          />
          <TextField
            name="options.renderCount"
            label="Pages rendered"
            type="number"
            inputMode="numeric"
            min={0}
            max={10}
            value={renderCount}
            onChange={(event) => setRenderCount(event.target.value)}
            errors={errors.fields["options.renderCount"]}
          />
          <TextField
            name="options.maxDepth"
            label="Link depth"
            type="number"
            inputMode="numeric"
            min={0}
            max={10}
            value={maxDepth}
            onChange={(event) => setMaxDepth(event.target.value)}
            errors={errors.fields["options.maxDepth"]}
          />
        </div>
      </details>
      <Button type="submit" pending={create.isPending} className="self-start">
        Start scan
      </Button>
    </form>
  );
}
