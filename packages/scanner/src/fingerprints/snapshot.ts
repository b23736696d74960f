import { z } from "zod";
import type { Headers, PageSnapshot } from "../types";

const plainPageSchema = z.object({
  url: z.url(),
  html: z.string(),
  /** Header names in any case; a value or the list of values of a repeated header. */
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  status: z.number().int().min(100).max(599).default(200),
  fetchedAt: z.string().default("1970-01-01T00:00:00.000Z"),
});

export type PlainPage = z.input<typeof plainPageSchema>;

/**
 * A static (not rendered) PageSnapshot from a URL, HTML and response headers,
 * for pages that did not come through the crawler: saved pages, benchmark
 * corpora, other tools' output. Script URLs, inline scripts and cookies are
 * read from the HTML and headers by the fingerprint engine itself.
 */
export function snapshotFromHtml(input: PlainPage): PageSnapshot {
  const parsed = plainPageSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `invalid page: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  const page = parsed.data;
  const headers: Headers = {};
  for (const [name, value] of Object.entries(page.headers)) {
    const key = name.toLowerCase();
    headers[key] = [...(headers[key] ?? []), ...(Array.isArray(value) ? value : [value])];
  }
  return {
    requestedUrl: page.url,
    url: page.url,
    status: page.status,
    headers,
    html: page.html,
    contentType: headers["content-type"]?.[0] ?? "text/html",
    bytes: Buffer.byteLength(page.html),
    redirects: [],
    rendered: false,
    scriptSrc: [],
    scripts: [],
    stylesheets: [],
    cookies: [],
    js: {},
    requests: [],
    consoleErrors: [],
    mixedContent: [],
    fetchedAt: page.fetchedAt,
  };
}
