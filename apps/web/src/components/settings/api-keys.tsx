"use client";

import type { RouterInputs } from "@techscaniq/api/client";
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
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FieldError, FormAlert } from "../ui/field-error";
import { SkeletonRows } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";
import { TextField } from "../ui/text-field";

type Scope = RouterInputs["apiKey"]["create"]["scopes"][number];
const SCOPES = [
  { id: "read", help: "read scans and reports" },
  { id: "write", help: "start and manage scans" },
  { id: "admin", help: "manage the workspace" },
] as const satisfies readonly { id: Scope; help: string }[];

/** The secret exists only in the create response: shown once, with a copy button. */
export function NewSecret({
  secret,
  onDone,
  what = "key",
}: {
  secret: string;
  onDone: () => void;
  /** What the secret is, in "Copy your new … now". */
  what?: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div
      role="status"
      className="flex flex-col gap-2 rounded-(--radius-control) border border-success/30 bg-success-soft p-4"
    >
      <p className="text-sm font-medium">Copy your new {what} now — it will not be shown again.</p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <code
          className="min-w-0 flex-1 rounded-md border border-border bg-surface px-3 py-2 font-mono text-xs break-all"
          data-testid="api-key-secret"
        >
          {secret}
        </code>
        <div className="flex gap-2">
          <Button
            variant="secondary"
            size="sm"
            className="h-auto py-2"
            onClick={() => {
              void navigator.clipboard.writeText(secret).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
          <Button variant="ghost" size="sm" className="h-auto py-2" onClick={onDone}>
            Done
          </Button>
        </div>
      </div>
    </div>
  );
}

export function ApiKeys() {
  const keys = trpc.apiKey.list.useQuery();
  const utils = trpc.useUtils();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [secret, setSecret] = useState<string | null>(null);
  const create = trpc.apiKey.create.useMutation({ onSuccess: () => utils.apiKey.list.invalidate() });
  const revoke = trpc.apiKey.revoke.useMutation({ onSuccess: () => utils.apiKey.list.invalidate() });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    try {
      const created = await create.mutateAsync({ name, scopes });
      setSecret(created.secret);
      setName("");
    } catch (error) {
      setErrors(toFormErrors(errorBodyOf(error), ["name", "scopes"]));
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">API keys</CardTitle>
        <CardDescription>
          For internal tools using the typed client. A key acts in this workspace only, with the scopes you
          give it.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        {secret ? <NewSecret secret={secret} onDone={() => setSecret(null)} /> : null}
        <form onSubmit={submit} noValidate className="flex flex-col gap-3" aria-label="Create an API key">
          <FormAlert message={errors.message} />
          <TextField
            name="name"
            label="Key name"
            placeholder="e.g. CI pipeline"
            value={name}
            onChange={(event) => setName(event.target.value)}
            errors={errors.fields.name}
          />
          <fieldset
            className="flex flex-col gap-1.5"
            aria-describedby={errors.fields.scopes ? "field-scopes-error" : undefined}
          >
            <legend className="mb-1.5 text-sm font-medium">Scopes</legend>
            <div className="flex flex-wrap gap-x-5 gap-y-2">
              {SCOPES.map((scope) => (
                <label key={scope.id} className="inline-flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="size-4 accent-(--color-primary)"
                    checked={scopes.includes(scope.id)}
                    onChange={(event) =>
                      setScopes((current) =>
                        event.target.checked
                          ? [...current, scope.id]
                          : current.filter((entry) => entry !== scope.id),
                      )
                    }
                  />
                  <span>
                    <span className="font-medium">{scope.id}</span>{" "}
                    <span className="text-muted-foreground">— {scope.help}</span>
                  </span>
                </label>
              ))}
            </div>
            <FieldError id="field-scopes-error" messages={errors.fields.scopes} />
          </fieldset>
          <Button type="submit" pending={create.isPending} className="self-start">
            Create key
          </Button>
        </form>
        {revoke.error ? (
          <ErrorState title="The key could not be revoked" message={errorMessageOf(revoke.error)} />
        ) : null}
        {keys.isPending ? (
          <SkeletonRows rows={2} label="Loading API keys" />
        ) : keys.isError ? (
          <ErrorState message={errorMessageOf(keys.error)} />
        ) : keys.data.length === 0 ? (
          <EmptyState title="No API keys yet" className="py-6" />
        ) : (
          <ul
            className="divide-y divide-border rounded-(--radius-control) border border-border"
            aria-label="API keys"
          >
            {keys.data.map((key) => (
              <li
                key={key.id}
                className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:gap-4"
                data-testid="api-key"
              >
                <div className="flex min-w-0 flex-1 flex-col gap-0.5">
                  <span className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    {key.name}
                    <Badge tone={key.status === "active" ? "success" : "neutral"}>{key.status}</Badge>
                  </span>
                  <span className="text-xs text-muted-foreground">
                    <span className="font-mono">{key.prefix}…</span> · {key.scopes.join(", ")} · created{" "}
                    {formatDateTime(key.createdAt)}
                    {key.lastUsedAt ? ` · last used ${formatDateTime(key.lastUsedAt)}` : " · never used"}
                  </span>
                </div>
                {key.status === "active" ? (
                  <Button
                    variant="secondary"
                    size="sm"
                    aria-label={`Revoke ${key.name}`}
                    onClick={() => revoke.mutate({ apiKeyId: key.id })}
                    pending={revoke.isPending && revoke.variables?.apiKeyId === key.id}
                  >
                    Revoke
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
