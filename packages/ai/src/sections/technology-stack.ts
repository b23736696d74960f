import { claim, named } from "../offline/claims";
import { inferenceBasis } from "../scan-context";
import { technologyFindings } from "./findings";
import type { FindingsSection } from "./section";

export const technologyStack: FindingsSection<"technology_stack"> = {
  id: "technology_stack",
  writtenFrom: "findings",
  brief:
    "Each detected technology with its version (or say the version is not shown) and category; " +
    "say that an inferred technology is inferred, and from what.",
  findings: technologyFindings,
  tables({ scan }) {
    const rows = scan.technologies
      .flatMap((t) =>
        (t.categories.length ? t.categories : ["Other"]).slice(0, 1).map((category) => ({ category, t })),
      )
      .sort((a, b) => a.category.localeCompare(b.category) || a.t.name.localeCompare(b.t.name))
      .map(({ category, t }) => ({
        cells: [
          category,
          t.inferred ? `${t.name} (inferred)` : t.name,
          t.version ?? "not shown",
          `${t.confidence}%`,
        ],
        evidence: t.evidence,
      }));
    return rows.length
      ? [
          {
            caption: "Detected technologies by category (inferred: not seen, implied by a detected one)",
            columns: ["Category", "Technology", "Version", "Confidence"],
            rows,
          },
        ]
      : [];
  },
  writeOffline({ scan }) {
    if (scan.technologies.length === 0)
      return [claim("No technologies were identified on the scanned pages.", [])];
    return scan.technologies.map((t) =>
      claim(
        t.inferred
          ? `${named(t)} was not seen but follows from what was: ${inferenceBasis(t)}.`
          : t.version
            ? `${named(t)} was detected (${t.categories.join(", ") || "uncategorised"}).`
            : `${t.name} was detected (${t.categories.join(", ") || "uncategorised"}); its version is not shown.`,
        t.evidence,
      ),
    );
  },
};
