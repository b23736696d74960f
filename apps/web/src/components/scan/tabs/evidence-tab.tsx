"use client";

import { keepPreviousData } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { errorMessageOf } from "../../../lib/api-error";
import { trpc } from "../../../lib/trpc";
import { Button } from "../../ui/button";
import { Label } from "../../ui/label";
import { Select } from "../../ui/select";
import { SkeletonRows } from "../../ui/skeleton";
import { EmptyState, ErrorState } from "../../ui/states";
import { EvidenceCard } from "../evidence-card";
import type { Finding } from "../findings-summary";
import type { TabProps } from "../scan-tabs";

const KINDS = [
  "header",
  "cookie",
  "html",
  "meta",
  "script",
  "scriptSrc",
  "css",
  "url",
  "dom",
  "js",
  "network",
  "dns",
  "tls",
  "robots",
  "console",
  "page",
] as const;

const PAGE_SIZE = 50;
const MAX_LIMIT = 500;

const findingLabel = (finding: Finding) =>
  `${finding.kind.replace("_", " ")}: ${finding.name}${finding.version ? ` ${finding.version}` : ""}`;

export function EvidenceTab({
  scanId,
  finding,
  kind,
  page,
  onFilter,
}: TabProps & {
  finding: string | null;
  kind: string | null;
  page: string | null;
  onFilter: (filters: Record<string, string>) => void;
}) {
  const findings = trpc.scan.findings.useQuery({ scanId });
  const pages = trpc.scan.pages.useQuery({ scanId });
  // "Load more" asks for a longer list (the API caps it at 500); the items already shown stay while it loads.
  const [limit, setLimit] = useState(PAGE_SIZE);
  const evidence = trpc.scan.evidence.list.useQuery(
    {
      scanId,
      limit,
      ...(finding ? { findingId: finding } : {}),
      ...(kind ? { kind } : {}),
      ...(page ? { pageUrl: page } : {}),
    },
    { placeholderData: keepPreviousData },
  );

  // Which findings cite each item: their names and versions are the part of the snippet to mark.
  const termsByEvidence = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const entry of findings.data ?? [])
      for (const id of entry.evidenceIds)
        map.set(id, [...(map.get(id) ?? []), entry.name, ...(entry.version ? [entry.version] : [])]);
    return map;
  }, [findings.data]);

  const current = { ...(finding ? { finding } : {}), ...(kind ? { kind } : {}), ...(page ? { page } : {}) };
  const setFilter = (name: "finding" | "kind" | "page", value: string) => {
    const next: Record<string, string> = { ...current };
    if (value) next[name] = value;
    else delete next[name];
    setLimit(PAGE_SIZE);
    onFilter(next);
  };
  const items = evidence.data?.items ?? [];

  return (
    <div className="flex flex-col gap-4">
      <form
        className="grid gap-3 rounded-(--radius-card) border border-border bg-surface p-4 sm:grid-cols-3"
        aria-label="Filter evidence"
        onSubmit={(event) => event.preventDefault()}
      >
        <div className="flex min-w-0 flex-col gap-1.5">
          <Label htmlFor="evidence-finding">Finding</Label>
          <Select
            id="evidence-finding"
            value={finding ?? ""}
            onChange={(event) => setFilter("finding", event.target.value)}
          >
            <option value="">All findings</option>
            {(findings.data ?? []).map((entry) => (
              <option key={entry.id} value={entry.id}>
                {findingLabel(entry)}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex min-w-0 flex-col gap-1.5">
          <Label htmlFor="evidence-kind">Kind</Label>
          <Select
            id="evidence-kind"
            value={kind ?? ""}
            onChange={(event) => setFilter("kind", event.target.value)}
          >
            <option value="">All kinds</option>
            {KINDS.map((entry) => (
              <option key={entry} value={entry}>
                {entry}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex min-w-0 flex-col gap-1.5">
          <Label htmlFor="evidence-page">Page</Label>
          <Select
            id="evidence-page"
            value={page ?? ""}
            onChange={(event) => setFilter("page", event.target.value)}
          >
            <option value="">All pages</option>
            {(pages.data ?? []).map((entry) => (
              <option key={entry.id} value={entry.url}>
                {entry.url}
              </option>
            ))}
          </Select>
        </div>
      </form>
      {evidence.isPending ? (
        <SkeletonRows rows={5} label="Loading evidence" />
      ) : evidence.isError ? (
        <ErrorState title="The evidence could not be loaded" message={errorMessageOf(evidence.error)} />
      ) : items.length === 0 ? (
        <EmptyState title="No evidence matches these filters" />
      ) : (
        <div className="flex flex-col gap-3" aria-label="Evidence items">
          {items.map((item) => (
            <EvidenceCard key={item.id} item={item} terms={termsByEvidence.get(item.id) ?? []} />
          ))}
          {evidence.data?.nextCursor && limit < MAX_LIMIT ? (
            <Button
              variant="secondary"
              className="self-center"
              onClick={() => setLimit((current) => Math.min(MAX_LIMIT, current + PAGE_SIZE))}
              pending={evidence.isPlaceholderData}
            >
              Load more
            </Button>
          ) : null}
        </div>
      )}
    </div>
  );
}
