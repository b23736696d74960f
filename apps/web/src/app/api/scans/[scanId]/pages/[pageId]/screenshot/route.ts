import type { NextRequest } from "next/server";
import { tenantDownload } from "../../../../../../../server/tenant-route";

export const dynamic = "force-dynamic";

/** A crawled page's screenshot, for members of the scan's tenant only (404 for everyone else). */
export async function GET(
  request: NextRequest,
  { params }: { params: Promise<{ scanId: string; pageId: string }> },
) {
  const { scanId, pageId } = await params;
  return tenantDownload(request, async (api) => {
    const screenshot = await api.scan.screenshot.query({ scanId, pageId });
    return new Response(Buffer.from(screenshot.base64, "base64"), {
      headers: {
        "content-type": screenshot.contentType,
        // Private: it is one tenant's data; the browser may keep it, shared caches may not.
        "cache-control": "private, max-age=300",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
