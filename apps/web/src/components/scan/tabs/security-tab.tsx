"use client";

import {
  CookieDetails,
  detailsAs,
  HEADER_GRADE_FINDING,
  HeaderGradeDetails,
  SecurityTestDetails,
  TlsDetails,
} from "@techscaniq/contracts/scan";
import { trpc } from "../../../lib/trpc";
import { cn } from "../../../lib/cn";
import { Badge } from "../../ui/badge";
import { Card } from "../../ui/card";
import { EmptyState } from "../../ui/states";
import { GradeBadge, SeverityBadge } from "../badges";
import type { Finding } from "../findings-summary";
import type { TabProps } from "../scan-tabs";
import { EvidenceLink, Loaded, SectionTitle } from "./common";

function Fact({ label, value }: { label: string; value: string | null }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm break-words">{value ?? "—"}</dd>
    </div>
  );
}

function HeaderTests({ tests, showEvidence }: { tests: Finding[]; showEvidence: TabProps["showEvidence"] }) {
  return (
    <Card className="overflow-hidden">
      <ul className="divide-y divide-border" aria-label="Header tests">
        {tests.map((finding) => {
          const test = detailsAs(SecurityTestDetails, finding.details);
          return (
            <li
              key={finding.id}
              className="flex flex-col gap-1 px-5 py-3 sm:flex-row sm:items-start sm:gap-4"
              data-testid="security-test"
            >
              <span className="w-16 shrink-0">
                <Badge tone={test?.pass ? "success" : "danger"}>{test?.pass ? "Pass" : "Fail"}</Badge>
              </span>
              <span className="flex min-w-0 flex-1 flex-col gap-0.5">
                <span className="text-sm font-medium">{finding.name}</span>
                {test ? <span className="text-sm text-muted-foreground">{test.description}</span> : null}
              </span>
              <span className="flex shrink-0 items-center gap-3">
                {test ? (
                  <span
                    className={cn(
                      "font-mono text-sm tabular-nums",
                      test.scoreModifier < 0
                        ? "text-destructive"
                        : test.scoreModifier > 0
                          ? "text-success"
                          : "text-muted-foreground",
                    )}
                  >
                    {test.scoreModifier > 0 ? `+${test.scoreModifier}` : test.scoreModifier}
                  </span>
                ) : null}
                <EvidenceLink count={finding.evidenceIds.length} onClick={() => showEvidence(finding.id)} />
              </span>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function DnsRecords({ scanId }: { scanId: string }) {
  const evidence = trpc.scan.evidence.list.useQuery({ scanId, kind: "dns", limit: 50 });
  return (
    <Loaded query={evidence} label="DNS records">
      {(page) =>
        page.items.length === 0 ? (
          <EmptyState title="No DNS records collected" />
        ) : (
          <Card className="overflow-hidden">
            <dl className="divide-y divide-border">
              {page.items.map((item) => (
                <div key={item.id} className="flex flex-col gap-1 px-5 py-3 sm:flex-row sm:gap-4">
                  <dt className="w-32 shrink-0 font-mono text-xs text-muted-foreground">{item.locator}</dt>
                  <dd className="min-w-0 font-mono text-xs break-all">{item.snippet}</dd>
                </div>
              ))}
            </dl>
          </Card>
        )
      }
    </Loaded>
  );
}

export function SecurityTab({ scanId, showEvidence }: TabProps) {
  const findings = trpc.scan.findings.useQuery({ scanId, kind: "security" });
  return (
    <Loaded query={findings} label="security results">
      {(security) => {
        const gradeFinding = security.find((finding) => finding.name === HEADER_GRADE_FINDING.name);
        const grade = gradeFinding ? detailsAs(HeaderGradeDetails, gradeFinding.details) : null;
        const tests = security.filter(
          (finding) => finding.category === "headers" && finding !== gradeFinding,
        );
        const failed = tests.filter(
          (finding) => !detailsAs(SecurityTestDetails, finding.details)?.pass,
        ).length;
        const cookies = security.filter((finding) => finding.category === "cookies");
        const mixed = security.filter((finding) => finding.category === "mixed-content");
        const tlsFinding = security.find((finding) => finding.category === "tls");
        const tls = tlsFinding ? detailsAs(TlsDetails, tlsFinding.details) : null;
        if (security.length === 0)
          return (
            <EmptyState title="No security results yet">
              Security checks run after technology detection.
            </EmptyState>
          );
        return (
          <div className="flex flex-col gap-6">
            {grade ? (
              <Card className="flex flex-col gap-4 p-5 sm:flex-row sm:items-center">
                <GradeBadge grade={grade.grade} size="lg" />
                <div className="flex flex-col gap-1">
                  <p className="font-semibold">HTTP security headers</p>
                  <p className="text-sm text-muted-foreground">
                    Score <span className="font-medium text-foreground tabular-nums">{grade.score}</span>/100,
                    graded like the MDN HTTP Observatory.{" "}
                    {failed === 0 ? "Every test passes." : `${failed} of ${tests.length} tests fail.`}
                  </p>
                </div>
              </Card>
            ) : null}
            {tests.length > 0 ? (
              <section className="flex flex-col gap-3">
                <SectionTitle aside={`${tests.length - failed} passed · ${failed} failed`}>
                  Per-test breakdown
                </SectionTitle>
                <HeaderTests tests={tests} showEvidence={showEvidence} />
              </section>
            ) : null}
            <div className="grid gap-6 lg:grid-cols-2">
              <section className="flex flex-col gap-3">
                <SectionTitle>TLS and certificate</SectionTitle>
                {tls ? (
                  <Card className="p-5">
                    <dl className="grid grid-cols-2 gap-4">
                      <Fact label="Protocol" value={tls.protocol} />
                      <Fact
                        label="Certificate"
                        value={tls.authorized ? "Trusted" : (tls.authorizationError ?? "Not trusted")}
                      />
                      <Fact label="Issuer" value={tls.issuer} />
                      <Fact
                        label="Expires in"
                        value={tls.daysRemaining === null ? null : `${tls.daysRemaining} days`}
                      />
                      <Fact label="Cipher" value={tls.cipher} />
                      <Fact label="Subject" value={tls.subject} />
                    </dl>
                  </Card>
                ) : (
                  <EmptyState title="No TLS" className="py-6">
                    The site was scanned over plain HTTP, so there is no certificate to check.
                  </EmptyState>
                )}
              </section>
              <section className="flex flex-col gap-3">
                <SectionTitle>Cookies</SectionTitle>
                {cookies.length === 0 ? (
                  <EmptyState title="No cookie issues" className="py-6">
                    Every cookie set by the site has the expected flags, or it sets none.
                  </EmptyState>
                ) : (
                  <Card className="divide-y divide-border overflow-hidden">
                    {cookies.map((finding) => {
                      const cookie = detailsAs(CookieDetails, finding.details);
                      return (
                        <div key={finding.id} className="flex flex-col gap-1.5 px-5 py-3">
                          <div className="flex items-center gap-2">
                            {finding.severity ? <SeverityBadge severity={finding.severity} /> : null}
                            <span className="font-mono text-sm">{cookie?.name ?? finding.name}</span>
                          </div>
                          {cookie ? (
                            <p className="text-sm text-muted-foreground">{cookie.issues.join("; ")}</p>
                          ) : null}
                        </div>
                      );
                    })}
                  </Card>
                )}
                {mixed.length > 0 ? (
                  <Card className="divide-y divide-border overflow-hidden">
                    {mixed.map((finding) => (
                      <div key={finding.id} className="flex items-center gap-2 px-5 py-3 text-sm">
                        <SeverityBadge severity="medium" /> Mixed content
                        <EvidenceLink
                          count={finding.evidenceIds.length}
                          onClick={() => showEvidence(finding.id)}
                        />
                      </div>
                    ))}
                  </Card>
                ) : null}
              </section>
            </div>
            <section className="flex flex-col gap-3">
              <SectionTitle>DNS</SectionTitle>
              <DnsRecords scanId={scanId} />
            </section>
          </div>
        );
      }}
    </Loaded>
  );
}
