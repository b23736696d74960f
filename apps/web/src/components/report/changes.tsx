import Link from "next/link";
import type { ReactNode } from "react";
import { GradeBadge, SeverityBadge, severityRank, type Severity } from "../scan/badges";
import { Badge } from "../ui/badge";
import { Card } from "../ui/card";
import type { ScanChanges } from "./types";

function VulnerabilitySeverity({ severity }: { severity: string }) {
  return severity in severityRank ? (
    <SeverityBadge severity={severity as Severity} />
  ) : (
    <Badge>{severity}</Badge>
  );
}

function Group({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  if (count === 0) return null;
  return (
    <div className="flex flex-col gap-2" data-testid="change-group">
      <h3 className="text-sm font-medium">
        {title} <span className="text-muted-foreground tabular-nums">({count})</span>
      </h3>
      <ul className="flex flex-col gap-1.5 text-sm">{children}</ul>
    </div>
  );
}

const versionText = (version: string | null) => version ?? "no version";

/** What changed since the scan this one re-scans: technologies, header grade, vulnerable libraries, third parties. */
export function ChangesView({ changes }: { changes: ScanChanges }) {
  const { technologies, headerGrade, vulnerabilities, thirdParties } = changes;
  const technologyCount =
    technologies.added.length + technologies.removed.length + technologies.versionChanged.length;
  return (
    <section aria-labelledby="changes-title" className="flex flex-col gap-3" data-testid="report-changes">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="changes-title" className="text-lg font-semibold tracking-tight">
          Changes since the previous scan
        </h2>
        <Link href={`/scans/${changes.beforeScanId}`} className="text-sm text-primary hover:underline">
          Open the previous scan →
        </Link>
      </div>
      <Card className="flex flex-col gap-5 p-5">
        {changes.unchanged ? (
          <p className="text-sm text-muted-foreground">
            Nothing changed in technologies, header grade, vulnerable libraries or third parties.
          </p>
        ) : null}
        {headerGrade.changed ? (
          <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="change-grade">
            <span className="font-medium">Security header grade</span>
            {headerGrade.before ? (
              <GradeBadge grade={headerGrade.before} size="sm" />
            ) : (
              <span className="text-muted-foreground">none</span>
            )}
            <span aria-hidden>→</span>
            <span className="sr-only">changed to</span>
            {headerGrade.after ? (
              <GradeBadge grade={headerGrade.after} size="sm" />
            ) : (
              <span className="text-muted-foreground">none</span>
            )}
            {headerGrade.scoreBefore !== null && headerGrade.scoreAfter !== null ? (
              <span className="text-muted-foreground tabular-nums">
                (score {headerGrade.scoreBefore} → {headerGrade.scoreAfter})
              </span>
            ) : null}
          </div>
        ) : null}
        <Group title="Technologies" count={technologyCount}>
          {technologies.added.map((t) => (
            <li key={`added-${t.name}`} className="flex flex-wrap items-center gap-2">
              <Badge tone="success">added</Badge>
              {t.name} {t.version ? <span className="font-mono text-xs">{t.version}</span> : null}
            </li>
          ))}
          {technologies.removed.map((t) => (
            <li key={`removed-${t.name}`} className="flex flex-wrap items-center gap-2">
              <Badge tone="neutral">removed</Badge>
              {t.name} {t.version ? <span className="font-mono text-xs">{t.version}</span> : null}
            </li>
          ))}
          {technologies.versionChanged.map((t) => (
            <li key={`changed-${t.name}`} className="flex flex-wrap items-center gap-2">
              <Badge tone="info">version</Badge>
              {t.name}{" "}
              <span className="font-mono text-xs">
                {versionText(t.from)} → {versionText(t.to)}
              </span>
            </li>
          ))}
        </Group>
        <Group title="Vulnerable libraries" count={vulnerabilities.new.length + vulnerabilities.fixed.length}>
          {vulnerabilities.new.map((v) => (
            <li
              key={`new-${v.library}-${v.version}-${v.identifiers.join(",")}`}
              className="flex flex-wrap items-center gap-2"
            >
              <Badge tone="danger">new</Badge>
              {v.library} <span className="font-mono text-xs">{v.version}</span>
              <VulnerabilitySeverity severity={v.severity} />
              {v.identifiers.length ? (
                <span className="text-xs text-muted-foreground">{v.identifiers.join(", ")}</span>
              ) : null}
            </li>
          ))}
          {vulnerabilities.fixed.map((v) => (
            <li
              key={`fixed-${v.library}-${v.version}-${v.identifiers.join(",")}`}
              className="flex flex-wrap items-center gap-2"
            >
              <Badge tone="success">fixed</Badge>
              {v.library} <span className="font-mono text-xs">{v.version}</span> is no longer observed
            </li>
          ))}
        </Group>
        <Group title="Third parties" count={thirdParties.added.length + thirdParties.removed.length}>
          {thirdParties.added.map((p) => (
            <li key={`added-${p.host}`} className="flex flex-wrap items-center gap-2">
              <Badge tone="warning">added</Badge>
              {p.owner} <span className="font-mono text-xs text-muted-foreground">{p.host}</span>
            </li>
          ))}
          {thirdParties.removed.map((p) => (
            <li key={`removed-${p.host}`} className="flex flex-wrap items-center gap-2">
              <Badge tone="neutral">removed</Badge>
              {p.owner} <span className="font-mono text-xs text-muted-foreground">{p.host}</span>
            </li>
          ))}
        </Group>
      </Card>
    </section>
  );
}
