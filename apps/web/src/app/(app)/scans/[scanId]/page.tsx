import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ScanWorkspace } from "../../../../components/scan/scan-workspace";
import { isNotVisible } from "../../../../server/api";
import { sessionApi } from "../../../../server/current-session";

export const metadata: Metadata = { title: "Scan" };

/** Reads the scan as the user (RLS decides); anything they may not see is the same 404 as a scan that never existed. */
export default async function ScanPage({ params }: { params: Promise<{ scanId: string }> }) {
  const { scanId } = await params;
  const context = await sessionApi();
  if (!context?.session.activeTenant) notFound();
  const scan = await context.api.scan.get.query({ scanId }).catch((error: unknown) => {
    if (isNotVisible(error)) return null;
    throw error;
  });
  if (!scan) notFound();
  return <ScanWorkspace initialScan={scan} canWrite={context.session.activeTenant.role !== "viewer"} />;
}
