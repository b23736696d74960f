"use client";

import { trpc } from "../../../lib/trpc";
import { Card } from "../../ui/card";
import { EmptyState } from "../../ui/states";
import { SeverityBadge, severityRank } from "../badges";
import { detailsAs, VulnerabilityDetails } from "@techscaniq/contracts/scan";
import type { TabProps } from "../scan-tabs";
import { EvidenceLink, Loaded } from "./common";

/** Advisory ids as links where the id's home is certain (CVE, GHSA); others as text. */
function advisoryUrl(identifier: string): string | null {
  if (/^CVE-\d{4}-\d+$/i.test(identifier))
    return `https://nvd.nist.gov/vuln/detail/${identifier.toUpperCase()}`;
  if (/^GHSA(-[a-z0-9]{4}){3}$/i.test(identifier)) return `https://github.com/advisories/${identifier}`;
  return null;
}

const isHttpUrl = (text: string) => /^https?:\/\//i.test(text);

export function VulnerabilitiesTab({ scanId, showEvidence }: TabProps) {
  const findings = trpc.scan.findings.useQuery({ scanId, kind: "vulnerability" });
  return (
    <Loaded query={findings} label="vulnerable libraries">
      {(vulnerabilities) => {
        if (vulnerabilities.length === 0)
          return (
            <EmptyState title="No known-vulnerable libraries">
              None of the JavaScript libraries found matches a known advisory.
            </EmptyState>
          );
        const sorted = [...vulnerabilities].sort(
          (a, b) => severityRank[b.severity ?? "info"] - severityRank[a.severity ?? "info"],
        );
        return (
          <div className="flex flex-col gap-3">
            {sorted.map((vulnerability) => {
              const details = detailsAs(VulnerabilityDetails, vulnerability.details);
              return (
                <Card key={vulnerability.id} className="flex flex-col gap-3 p-5" data-testid="vulnerability">
                  <div className="flex flex-wrap items-center gap-3">
                    {vulnerability.severity ? <SeverityBadge severity={vulnerability.severity} /> : null}
                    <span className="font-medium">
                      {vulnerability.name}{" "}
                      <span className="font-mono text-sm text-muted-foreground">{vulnerability.version}</span>
                    </span>
                    <span className="ml-auto">
                      <EvidenceLink
                        count={vulnerability.evidenceIds.length}
                        onClick={() => showEvidence(vulnerability.id)}
                      />
                    </span>
                  </div>
                  {details?.summary ? <p className="text-sm">{details.summary}</p> : null}
                  {details && (details.identifiers.length > 0 || details.info.length > 0) ? (
                    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Advisories">
                      {details.identifiers.map((identifier) => {
                        const href = advisoryUrl(identifier);
                        return (
                          <li key={identifier} className="font-mono text-xs">
                            {href ? (
                              <a
                                href={href}
                                target="_blank"
                                rel="noopener noreferrer nofollow"
                                className="text-primary hover:underline"
                              >
                                {identifier}
                              </a>
                            ) : (
                              identifier
                            )}
                          </li>
                        );
                      })}
                      {details.info.filter(isHttpUrl).map((url) => (
                        <li key={url} className="max-w-full truncate text-xs">
                          <a
                            href={url}
                            target="_blank"
                            rel="noopener noreferrer nofollow"
                            className="text-primary hover:underline"
                          >
                            {url}
                          </a>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </Card>
              );
            })}
          </div>
        );
      }}
    </Loaded>
  );
}
