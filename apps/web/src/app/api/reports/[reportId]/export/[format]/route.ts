import type { RouterInputs } from "@techscaniq/api/client";
import type { NextRequest } from "next/server";
import { tenantDownload } from "../../../../../../server/tenant-route";

export const dynamic = "force-dynamic";

type ReportFormat = RouterInputs["report"]["export"]["format"];

/** A report version's export as a file download, for members of the report's tenant only (404 for everyone else). */
export async function GET(
  request: NextRequest,
  { params }: { params: Promise<{ reportId: string; format: string }> },
) {
  const { reportId, format } = await params;
  const versionParam = request.nextUrl.searchParams.get("version");
  return tenantDownload(request, async (api) => {
    const exported = await api.report.export.query({
      reportId,
      // An unknown format or version goes to the API, whose refusal becomes the same 404.
      format: format as ReportFormat,
      ...(versionParam ? { version: Number(versionParam) } : {}),
    });
    const body = exported.encoding === "base64" ? Buffer.from(exported.content, "base64") : exported.content;
    return new Response(body, {
      headers: {
        "content-type": exported.contentType,
        "content-disposition": `attachment; filename="${exported.fileName.replace(/[^\w.-]/g, "_")}"`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
