import type { ReactNode } from "react";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The snippet as plain text with every occurrence of the terms (case-insensitive)
 * wrapped in <mark>. Only React text nodes are produced: scanned content is never HTML.
 */
export function Highlighted({ text, terms }: { text: string; terms: readonly string[] }): ReactNode {
  const usable = [...new Set(terms.map((term) => term.trim()).filter((term) => term.length >= 2))].sort(
    (a, b) => b.length - a.length,
  );
  if (usable.length === 0) return text;
  const pattern = new RegExp(`(${usable.map(escapeRegExp).join("|")})`, "gi");
  return text.split(pattern).map((part, index) =>
    index % 2 === 1 ? (
      <mark key={index} className="rounded-sm bg-highlight px-0.5 text-foreground">
        {part}
      </mark>
    ) : (
      part
    ),
  );
}
