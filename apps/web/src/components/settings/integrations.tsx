"use client";

import type { RouterInputs, RouterOutputs } from "@techscaniq/api/client";
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
import { FormAlert } from "../ui/field-error";
import { Select } from "../ui/select";
import { SkeletonRows } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";
import { TextField } from "../ui/text-field";
import { NewSecret } from "./api-keys";
import { DeliveryList, IntegrationAlerts, STATUS_TONES, type Delivery } from "./deliveries";

type Catalog = RouterOutputs["integration"]["catalog"];
/** A connection form drawn from the catalog: the provider's fields, secret ones as password inputs. */
function AddConnection({ catalog, onSecret }: { catalog: Catalog; onSecret: (secret: string) => void }) {
  const utils = trpc.useUtils();
  const [provider, setProvider] = useState(catalog[0]?.provider ?? "webhook");
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const create = trpc.integration.create.useMutation({ onSuccess: () => utils.integration.invalidate() });
  const entry = catalog.find((item) => item.provider === provider);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    const pick = (secret: boolean) =>
      Object.fromEntries(
        (entry?.fields ?? [])
          .filter((field) => field.secret === secret && values[field.name])
          .map((field) => [field.name, values[field.name]!]),
      );
    try {
      const created = await create.mutateAsync({
        provider,
        name,
        config: pick(false),
        credentials: pick(true),
      });
      if (created.signingSecret) onSecret(created.signingSecret);
      setName("");
      setValues({});
    } catch (error) {
      const fields = (entry?.fields ?? []).map((f) => `${f.secret ? "credentials" : "config"}.${f.name}`);
      setErrors(toFormErrors(errorBodyOf(error), ["name", ...fields]));
    }
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3" aria-label="Add a connection">
      <FormAlert message={errors.message} />
      <label className="flex flex-col gap-1.5 text-sm font-medium">
        Provider
        <Select value={provider} onChange={(event) => setProvider(event.target.value as typeof provider)}>
          {catalog.map((item) => (
            <option key={item.provider} value={item.provider}>
              {item.title}
            </option>
          ))}
        </Select>
      </label>
      <TextField
        name="name"
        label="Name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        errors={errors.fields.name}
      />
      {entry?.fields.map((field) => (
        <TextField
          key={`${provider}.${field.name}`}
          name={field.name}
          label={field.label}
          type={field.secret ? "password" : "text"}
          autoComplete="off"
          placeholder={field.help}
          value={values[field.name] ?? ""}
          onChange={(event) => setValues((current) => ({ ...current, [field.name]: event.target.value }))}
          errors={errors.fields[`${field.secret ? "credentials" : "config"}.${field.name}`]}
        />
      ))}
      <Button type="submit" pending={create.isPending} className="self-start">
        Add connection
      </Button>
    </form>
  );
}

/**
 * Connections (credentials shown as "set ••••1234", a test button, the last check) and webhook
 * endpoints with their deliveries and replay. Admins add; members test and replay.
 */
export function Integrations({ canManage, canUse }: { canManage: boolean; canUse: boolean }) {
  const utils = trpc.useUtils();
  const catalog = trpc.integration.catalog.useQuery();
  const connections = trpc.integration.connections.useQuery();
  const endpoints = trpc.webhook.list.useQuery();
  const deliveries = trpc.integration.deliveries.useQuery({ limit: 50 });
  const status = trpc.integration.status.useQuery();
  const test = trpc.integration.test.useMutation({ onSettled: () => utils.integration.invalidate() });
  const [secret, setSecret] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("scan.completed,report.version_created");
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const addEndpoint = trpc.webhook.add.useMutation({ onSuccess: () => utils.webhook.list.invalidate() });

  async function submitEndpoint(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    try {
      // The API checks each type against the catalog and names a wrong one.
      const eventTypes = events
        .split(",")
        .map((type) => type.trim())
        .filter(Boolean);
      const added = await addEndpoint.mutateAsync({
        url,
        eventTypes: eventTypes as RouterInputs["webhook"]["add"]["eventTypes"],
      });
      setSecret(added.secret);
      setUrl("");
    } catch (error) {
      setErrors(toFormErrors(errorBodyOf(error), ["url", "eventTypes"]));
    }
  }

  const ofDeliveries = (match: (delivery: Delivery) => boolean) => deliveries.data?.items.filter(match) ?? [];

  return (
    <div className="flex flex-col gap-6">
      <IntegrationAlerts status={status.data} />
      {secret ? <NewSecret secret={secret} what="signing secret" onDone={() => setSecret(null)} /> : null}
      <Card>
        <CardHeader>
          <CardTitle className="text-lg">Connections</CardTitle>
          <CardDescription>
            GitHub, Jira, ServiceNow, Slack and webhooks that agents act through. Credentials are stored
            encrypted and never shown again.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-5">
          {canManage && catalog.data ? <AddConnection catalog={catalog.data} onSecret={setSecret} /> : null}
          {test.error ? (
            <ErrorState title="The test did not run" message={errorMessageOf(test.error)} />
          ) : null}
          {connections.isPending ? (
            <SkeletonRows rows={2} label="Loading connections" />
          ) : connections.isError ? (
            <ErrorState message={errorMessageOf(connections.error)} />
          ) : connections.data.length === 0 ? (
            <EmptyState title="No connections yet" className="py-6" />
          ) : (
            <ul className="flex flex-col gap-3" aria-label="Connections">
              {connections.data.map((connection) => (
                <li key={connection.id} className="rounded-(--radius-control) border border-border p-3">
                  <div className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    {connection.name}
                    <Badge tone="neutral">{connection.provider}</Badge>
                    <Badge tone={STATUS_TONES[connection.status] ?? "neutral"}>{connection.status}</Badge>
                    <span className="text-xs text-muted-foreground">
                      {connection.credentials.set
                        ? `set ••••${connection.credentials.last4}`
                        : "no credentials"}
                    </span>
                    {canUse ? (
                      <Button
                        variant="secondary"
                        size="sm"
                        onClick={() => test.mutate({ connectionId: connection.id })}
                        pending={test.isPending && test.variables?.connectionId === connection.id}
                      >
                        Test
                      </Button>
                    ) : null}
                  </div>
                  <p className="mt-1 text-xs text-muted-foreground">
                    {connection.lastCheckedAt
                      ? `checked ${formatDateTime(connection.lastCheckedAt)}${
                          connection.lastCheckLatencyMs !== null
                            ? ` in ${connection.lastCheckLatencyMs} ms`
                            : ""
                        }${connection.lastError ? `: ${connection.lastError}` : ""}`
                      : "never checked"}
                  </p>
                  <DeliveryList
                    deliveries={ofDeliveries((d) => d.connectionId === connection.id)}
                    canReplay={() => canUse}
                  />
                </li>
              ))}
            </ul>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle className="text-lg">Webhook endpoints</CardTitle>
          <CardDescription>
            URLs that receive this workspace&apos;s events, signed the Standard Webhooks way. An endpoint that
            answers 410 Gone is disabled.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-5">
          {canManage ? (
            <form
              onSubmit={submitEndpoint}
              noValidate
              className="flex flex-col gap-3"
              aria-label="Add an endpoint"
            >
              <FormAlert message={errors.message} />
              <TextField
                name="url"
                label="URL"
                value={url}
                onChange={(event) => setUrl(event.target.value)}
                errors={errors.fields.url}
              />
              <TextField
                name="eventTypes"
                label="Event types (comma-separated)"
                value={events}
                onChange={(event) => setEvents(event.target.value)}
                errors={errors.fields.eventTypes}
              />
              <Button type="submit" pending={addEndpoint.isPending} className="self-start">
                Add endpoint
              </Button>
            </form>
          ) : null}
          {endpoints.isPending ? (
            <SkeletonRows rows={2} label="Loading endpoints" />
          ) : endpoints.isError ? (
            <ErrorState message={errorMessageOf(endpoints.error)} />
          ) : endpoints.data.length === 0 ? (
            <EmptyState title="No webhook endpoints yet" className="py-6" />
          ) : (
            <ul className="flex flex-col gap-3" aria-label="Webhook endpoints">
              {endpoints.data.map((endpoint) => (
                <li key={endpoint.id} className="rounded-(--radius-control) border border-border p-3">
                  <div className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    <span className="font-mono">{endpoint.url}</span>
                    <Badge tone={endpoint.enabled ? "success" : "danger"}>
                      {endpoint.enabled ? "enabled" : "disabled"}
                    </Badge>
                    <span className="text-xs text-muted-foreground">secret ••••{endpoint.secret.last4}</span>
                  </div>
                  <p className="mt-1 text-xs text-muted-foreground">
                    {endpoint.eventTypes.join(", ")}
                    {endpoint.disabledReason ? ` · ${endpoint.disabledReason}` : ""}
                  </p>
                  <DeliveryList
                    deliveries={ofDeliveries((d) => d.endpointId === endpoint.id)}
                    canReplay={() => canUse}
                  />
                </li>
              ))}
            </ul>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
