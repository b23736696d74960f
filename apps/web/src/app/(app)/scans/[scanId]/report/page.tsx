import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ReportView } from "../../../../../components/report/report-view";
import { isNotVisible } from "../../../../../server/api";
import { sessionApi } from "../../../../../server/current-session";

export const metadata: Metadata = { title: "Report" };

/** `?version=N` picks a version; anything else (or nothing) means the latest. */
function versionParam(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text && /^[1-9]\d{0,5}$/.test(text) ? Number(text) : undefined;
}

/**
 * The scan's report, read as the user (RLS decides): a scan or version they
 * may not see is the same 404 as one that never existed. A scan without a
 * report yet (still running) gets a page that waits for it.
 */
export default async function ReportPage({
  params,
  searchParams,
}: {
  params: Promise<{ scanId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ scanId }, query] = await Promise.all([params, searchParams]);
  const version = versionParam(query.version);
  const context = await sessionApi();
  if (!context?.session.activeTenant) notFound();
  const hidden = (error: unknown) => {
    if (isNotVisible(error)) return null;
    throw error;
  };
  const scan = await context.api.scan.get.query({ scanId }).catch(hidden);
  if (!scan) notFound();
  const report = await context.api.report.get
    .query(version === undefined ? { scanId } : { scanId, version })
    .catch(hidden);
  // A version that does not exist is not found; a report that does not exist yet is waited for.
  if (!report && version !== undefined) notFound();
  return (
    <ReportView
      key={version ?? "latest"}
      scanId={scanId}
      targetUrl={scan.targetUrl}
      scanActive={scan.status === "queued" || scan.status === "running"}
      version={version}
      initial={report}
      canWrite={context.session.activeTenant.role !== "viewer"}
    />
  );
}
