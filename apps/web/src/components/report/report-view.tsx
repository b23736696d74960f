"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useMemo } from "react";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime, hostOf } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { Card } from "../ui/card";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { Skeleton } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";
import { ChangesView } from "./changes";
import { CitationsProvider } from "./citations";
import { EvidenceList } from "./evidence-list";
import { ExportLinks } from "./export-links";
import { ReportSectionView, SectionContents } from "./report-sections";
import { ScoresView } from "./scores";
import { ReportStatusBadge } from "./status-badge";
import {
  isPending,
  type ReportDocument,
  type ReportResult,
  type ReportState,
  type ReportVersion,
} from "./types";

const POLL_MS = 2500;

function VersionPicker({ report, shown }: { report: ReportState; shown: number }) {
  const router = useRouter();
  const pathname = usePathname();
  const versions = trpc.report.versions.useQuery({ reportId: report.id });
  const utils = trpc.useUtils();
  // A version published while the page is open joins the list.
  useEffect(() => {
    void utils.report.versions.invalidate({ reportId: report.id });
  }, [utils, report.id, report.latestVersion]);
  const options = versions.data ?? [];
  return (
    <div className="flex items-center gap-2">
      <Label htmlFor="report-version" className="text-muted-foreground">
        Version
      </Label>
      <Select
        id="report-version"
        value={String(shown)}
        disabled={options.length < 2}
        onChange={(event) => {
          const version = Number(event.target.value);
          router.replace(version === report.latestVersion ? pathname : `${pathname}?version=${version}`, {
            scroll: false,
          });
        }}
      >
        {options.length === 0 ? <option value={shown}>{shown}</option> : null}
        {options.map((entry) => (
          <option
            key={entry.version}
            value={entry.version}
            title={`Written ${formatDateTime(entry.createdAt)}`}
          >
            {entry.version === report.latestVersion ? `${entry.version} (latest)` : entry.version}
          </option>
        ))}
      </Select>
    </div>
  );
}

function Summary({
  report,
  version,
  document,
}: {
  report: ReportState;
  version: ReportVersion;
  document: ReportDocument;
}) {
  const models = version.models
    .map((m) => (m.provider === "offline" ? "offline analyst (rules)" : `${m.provider} ${m.model}`))
    .join(", ");
  const facts = [
    { label: "Verified claims", value: String(version.claimsPublished), testId: "claims-published" },
    { label: "Not published", value: String(version.claimsDropped), testId: "claims-dropped" },
    { label: "Evidence cited", value: String(document.evidence.length), testId: "evidence-count" },
    { label: "Written by", value: models || "—", testId: "models" },
  ];
  return (
    <Card className="flex flex-col gap-4 p-5">
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
        {facts.map((fact) => (
          <div key={fact.label} className="flex min-w-0 flex-col gap-0.5">
            <dt className="text-xs text-muted-foreground">{fact.label}</dt>
            <dd
              className="truncate text-sm font-medium tabular-nums"
              data-testid={fact.testId}
              title={fact.value}
            >
              {fact.value}
            </dd>
          </div>
        ))}
      </dl>
      <div className="flex flex-col gap-2 border-t border-border pt-4 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-muted-foreground">
          Download version {version.version}
          {version.costUsd > 0 ? ` · AI cost $${version.costUsd.toFixed(4)}` : ""}
        </p>
        <ExportLinks reportId={report.id} version={version.version} />
      </div>
    </Card>
  );
}

function DroppedClaims({ document }: { document: ReportDocument }) {
  const { dropped } = document;
  if (dropped.count === 0)
    return (
      <p className="text-sm text-muted-foreground" data-testid="dropped-claims">
        Every claim was checked against the evidence it cites before it was published; none were dropped.
      </p>
    );
  const titleOf = (id: string) => document.sections.find((section) => section.id === id)?.title ?? id;
  return (
    <details
      className="group rounded-(--radius-card) border border-warning/30 bg-warning-soft"
      data-testid="dropped-claims"
    >
      <summary className="cursor-pointer list-none px-5 py-3 text-sm font-medium select-none">
        <span className="mr-2 inline-block transition-transform group-open:rotate-90" aria-hidden>
          ›
        </span>
        {dropped.count} {dropped.count === 1 ? "claim was" : "claims were"} not published: their citations did
        not check out
      </summary>
      <ul className="flex flex-col gap-3 border-t border-warning/30 px-5 py-4 text-sm">
        {dropped.reasons.map((entry, index) => (
          <li key={index} className="flex flex-col gap-1">
            <span className="font-medium">{titleOf(entry.section)}</span>
            <ul className="list-disc pl-5 text-muted-foreground">
              {entry.reasons.map((reason, reasonIndex) => (
                <li key={reasonIndex} className="break-words">
                  {reason}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </details>
  );
}

function ReportBody({
  report,
  version,
  document,
}: {
  report: ReportState;
  version: ReportVersion;
  document: ReportDocument;
}) {
  const claims = useMemo(() => new Map(document.claims.map((claim) => [claim.id, claim])), [document.claims]);
  return (
    <CitationsProvider evidence={document.evidence}>
      <div className="flex flex-col gap-6">
        <Summary report={report} version={version} document={document} />
        {document.thesis ? (
          <Card className="flex flex-col gap-1 p-5">
            <p className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">Thesis</p>
            <p className="text-sm whitespace-pre-line">{document.thesis}</p>
          </Card>
        ) : null}
        {document.changes ? <ChangesView changes={document.changes} /> : null}
        <div className="grid gap-8 lg:grid-cols-[12rem_minmax(0,1fr)]">
          <aside className="hidden lg:block">
            <div className="sticky top-6">
              <SectionContents sections={document.sections} />
            </div>
          </aside>
          <article className="flex min-w-0 flex-col gap-8" aria-label="Report">
            {document.sections.map((section) => (
              <ReportSectionView key={section.id} section={section} claims={claims} />
            ))}
            <ScoresView scores={document.scores} />
            <DroppedClaims document={document} />
            <EvidenceList evidence={document.evidence} />
          </article>
        </div>
      </div>
    </CitationsProvider>
  );
}

export interface ReportViewProps {
  scanId: string;
  targetUrl: string;
  /** The scan is still queued or running: its report does not exist yet. */
  scanActive: boolean;
  /** A version from the URL; absent for the latest. */
  version: number | undefined;
  initial: ReportResult | null;
  canWrite: boolean;
}

/** The report of a scan: one version's sections, scores and changes, live while a new version is written. */
export function ReportView({ scanId, targetUrl, scanActive, version, initial, canWrite }: ReportViewProps) {
  const router = useRouter();
  const pathname = usePathname();
  const utils = trpc.useUtils();
  const input = version === undefined ? { scanId } : { scanId, version };
  const query = trpc.report.get.useQuery(input, {
    initialData: initial ?? undefined,
    retry: false,
    refetchInterval: (state) => {
      const data = state.state.data;
      if (!data) return scanActive ? POLL_MS : false;
      return isPending(data.report) ? POLL_MS : false;
    },
  });
  const regenerate = trpc.report.regenerate.useMutation({
    onSuccess: (updated) => {
      // Shows "queued" at once; polling follows the new version from there.
      utils.report.get.setData(input, (current) => (current ? { ...current, report: updated } : current));
      if (version !== undefined) router.replace(pathname, { scroll: false });
    },
  });

  const data = query.data;
  const report = data?.report;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 md:flex-row md:items-start md:justify-between">
        <div className="flex min-w-0 flex-col gap-1">
          <Link href={`/scans/${scanId}`} className="text-sm text-muted-foreground hover:text-foreground">
            ← Scan of {hostOf(targetUrl)}
          </Link>
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight">Due-diligence report</h1>
            {report ? <ReportStatusBadge status={report.status} /> : null}
          </div>
          <p className="flex flex-col text-sm text-muted-foreground sm:flex-row sm:gap-1">
            <span className="truncate font-mono">{targetUrl}</span>
            {data?.document ? (
              <span data-testid="report-version-line">
                <span className="hidden sm:inline">· </span>version {data.document.version} · written{" "}
                {formatDateTime(data.document.generatedAt)}
              </span>
            ) : null}
          </p>
        </div>
        {report && (data?.version || canWrite) ? (
          <div className="flex shrink-0 flex-wrap items-center gap-2">
            {data?.version ? <VersionPicker report={report} shown={data.version.version} /> : null}
            {canWrite ? (
              <Button
                variant="secondary"
                onClick={() => regenerate.mutate({ reportId: report.id })}
                pending={regenerate.isPending}
                disabled={isPending(report)}
              >
                Regenerate
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>

      {regenerate.error ? (
        <ErrorState title="The report could not be regenerated" message={errorMessageOf(regenerate.error)} />
      ) : null}
      {report && isPending(report) ? (
        <div
          role="status"
          className="flex items-center gap-3 rounded-(--radius-card) border border-info/20 bg-info-soft px-5 py-3 text-sm text-info"
          data-testid="report-pending"
        >
          <span
            aria-hidden
            className="size-4 shrink-0 animate-spin rounded-full border-2 border-current border-r-transparent"
          />
          {report.status === "queued"
            ? `Version ${report.requestedVersion} is queued.`
            : `Writing version ${report.requestedVersion} from the evidence…`}
          {data?.version
            ? ` Version ${data.version.version} is shown until it is ready.`
            : " This page updates when it is ready."}
        </div>
      ) : null}
      {report?.status === "failed" ? (
        <ErrorState
          title={`Version ${report.requestedVersion} could not be written`}
          message={`${report.error ?? "The report run failed."}${data?.version ? ` Version ${data.version.version} is shown instead.` : ""}`}
        />
      ) : null}

      {query.isError ? (
        scanActive ? (
          <EmptyState title="The report is written when the scan finishes">
            This page updates by itself. Meanwhile, the scan page shows live progress.
          </EmptyState>
        ) : (
          <ErrorState
            title="The report could not be loaded"
            message={errorMessageOf(query.error)}
            action={
              <Button variant="secondary" size="sm" onClick={() => void query.refetch()}>
                Try again
              </Button>
            }
          />
        )
      ) : !data ? (
        <div role="status" aria-label="Loading the report" className="flex flex-col gap-4">
          <Skeleton className="h-28 w-full" />
          <Skeleton className="h-64 w-full" />
        </div>
      ) : data.version && data.document ? (
        <ReportBody report={data.report} version={data.version} document={data.document} />
      ) : isPending(data.report) ? (
        <div aria-hidden className="flex flex-col gap-4">
          <Skeleton className="h-28 w-full" />
          <Skeleton className="h-8 w-1/3" />
          <Skeleton className="h-40 w-full" />
        </div>
      ) : null}
    </div>
  );
}
