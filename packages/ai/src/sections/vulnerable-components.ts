import { claim } from "../offline/claims";
import { vulnerabilityFindings } from "./findings";
import type { FindingsSection } from "./section";

export const vulnerableComponents: FindingsSection<"vulnerable_components"> = {
  id: "vulnerable_components",
  writtenFrom: "findings",
  brief: "Known-vulnerable libraries with versions, severities and CVE/advisory ids.",
  findings: vulnerabilityFindings,
  tables: ({ scan }) =>
    scan.vulnerabilities.length
      ? [
          {
            caption: "Known-vulnerable libraries",
            columns: ["Library", "Version", "Severity", "Identifiers"],
            rows: scan.vulnerabilities.map((v) => ({
              cells: [v.library, v.version, v.severity, v.identifiers.join(", ")],
              evidence: v.evidence,
            })),
          },
        ]
      : [],
  writeOffline({ scan }) {
    if (scan.vulnerabilities.length === 0)
      return [claim("No known-vulnerable JavaScript library was matched on the scanned pages.", [])];
    return scan.vulnerabilities.map((v) =>
      claim(
        `${v.library} ${v.version} has ${v.severity}-severity known vulnerabilities${v.identifiers.length ? `: ${v.identifiers.join(", ")}` : ""}.`,
        v.evidence,
      ),
    );
  },
};
