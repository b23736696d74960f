import { createHash } from "node:crypto";

/** What kind of observation an evidence item records. */
export type EvidenceKind =
  | "header"
  | "cookie"
  | "html"
  | "meta"
  | "script"
  | "scriptSrc"
  | "css"
  | "url"
  | "dom"
  | "js"
  | "network"
  | "dns"
  | "tls"
  | "robots"
  | "console"
  | "page";

/**
 * One observation, with the exact bytes that show it. The id is a hash of
 * what was observed (not when), so the same input always yields the same id
 * and a retried scan never duplicates evidence.
 */
export interface Evidence {
  id: string;
  kind: EvidenceKind;
  /** Which collector produced it: "http", "render", "fingerprint", "observatory", "tls", "dns", "retire", ... */
  collector: string;
  /** Source URL (or host for DNS/TLS). */
  url: string;
  /** Where in the source: header name, CSS selector, script URL, cookie name, JS global, "line 12", ... */
  locator: string;
  /** The exact text that shows it, at most SNIPPET_MAX characters. */
  snippet: string;
  /** sha-256 (hex) of the full snippet text before truncation, so a citation can be re-checked. */
  contentHash: string;
  observedAt: string;
  /** 0–100 */
  confidence: number;
}

export const SNIPPET_MAX = 500;

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Cut a snippet around `focus` (when given) so the interesting bytes stay inside the limit. */
export function clipSnippet(text: string, focus?: number, max = SNIPPET_MAX): string {
  if (text.length <= max) return text;
  const start =
    focus === undefined ? 0 : Math.max(0, Math.min(focus - Math.floor(max / 3), text.length - max));
  return text.slice(start, start + max);
}

export interface EvidenceInput {
  kind: EvidenceKind;
  collector: string;
  url: string;
  locator: string;
  snippet: string;
  confidence?: number;
  observedAt?: string;
  /** Index of the interesting part inside `snippet`, to centre the clip on it. */
  focus?: number;
}

export function makeEvidence(input: EvidenceInput): Evidence {
  const contentHash = sha256Hex(input.snippet);
  const snippet = clipSnippet(input.snippet, input.focus);
  const id =
    "ev_" +
    sha256Hex([input.kind, input.collector, input.url, input.locator, contentHash].join("\u0000")).slice(
      0,
      24,
    );
  return {
    id,
    kind: input.kind,
    collector: input.collector,
    url: input.url,
    locator: input.locator,
    snippet,
    contentHash,
    observedAt: input.observedAt ?? new Date().toISOString(),
    confidence: input.confidence ?? 100,
  };
}

/** Collects evidence, de-duplicated by id, in first-seen order. */
export class EvidenceSet {
  readonly #items = new Map<string, Evidence>();

  add(input: EvidenceInput): Evidence {
    const ev = makeEvidence(input);
    const existing = this.#items.get(ev.id);
    if (existing) return existing;
    this.#items.set(ev.id, ev);
    return ev;
  }

  get(id: string): Evidence | undefined {
    return this.#items.get(id);
  }

  list(): Evidence[] {
    return [...this.#items.values()];
  }
}
