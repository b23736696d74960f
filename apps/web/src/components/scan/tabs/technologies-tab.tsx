"use client";

import { trpc } from "../../../lib/trpc";
import { Card } from "../../ui/card";
import { EmptyState } from "../../ui/states";
import { detailsAs, TechnologyDetails } from "@techscaniq/contracts/scan";
import type { TabProps } from "../scan-tabs";
import { Bar, EvidenceLink, Loaded } from "./common";

export function TechnologiesTab({ scanId, showEvidence }: TabProps) {
  const findings = trpc.scan.findings.useQuery({ scanId, kind: "technology" });
  return (
    <Loaded query={findings} label="technologies">
      {(technologies) => {
        if (technologies.length === 0)
          return (
            <EmptyState title="No technologies detected yet">
              Detection runs after the pages are fetched and rendered.
            </EmptyState>
          );
        const groups = new Map<string, typeof technologies>();
        for (const technology of technologies) {
          const category = technology.category ?? "Other";
          groups.set(category, [...(groups.get(category) ?? []), technology]);
        }
        const sorted = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
        return (
          <div className="grid gap-4 md:grid-cols-2">
            {sorted.map(([category, items]) => (
              <Card key={category} className="flex flex-col">
                <h2 className="border-b border-border px-5 py-3 text-sm font-semibold">{category}</h2>
                <ul className="divide-y divide-border">
                  {items
                    .sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0))
                    .map((technology) => {
                      const details = detailsAs(TechnologyDetails, technology.details);
                      const otherCategories = details?.categories.filter((entry) => entry !== category) ?? [];
                      return (
                        <li
                          key={technology.id}
                          className="flex flex-col gap-2 px-5 py-3"
                          data-testid="technology"
                        >
                          <div className="flex items-baseline justify-between gap-3">
                            <span className="min-w-0 font-medium">
                              <span data-testid="technology-name">{technology.name}</span>
                              {technology.version ? (
                                <span
                                  className="ml-2 font-mono text-sm text-muted-foreground"
                                  data-testid="technology-version"
                                >
                                  {technology.version}
                                </span>
                              ) : null}
                            </span>
                            <EvidenceLink
                              count={technology.evidenceIds.length}
                              onClick={() => showEvidence(technology.id)}
                            />
                          </div>
                          <div className="flex items-center gap-3 text-xs text-muted-foreground">
                            <span className="w-28 shrink-0">Confidence {technology.confidence ?? "–"}%</span>
                            <Bar
                              value={technology.confidence ?? 0}
                              max={100}
                              tone={(technology.confidence ?? 0) >= 75 ? "bg-success" : "bg-warning"}
                            />
                          </div>
                          {details?.inferred ? (
                            <p className="text-xs text-muted-foreground" data-testid="technology-inferred">
                              <span className="mr-1 rounded border border-border px-1 font-medium">
                                inferred
                              </span>
                              not seen:{" "}
                              {(details.inferredFrom ?? [])
                                .map((from) => `${from.technology} ${from.basis}`)
                                .join("; ")}
                            </p>
                          ) : null}
                          {otherCategories.length > 0 ? (
                            <p className="text-xs text-muted-foreground">
                              Also: {otherCategories.join(", ")}
                            </p>
                          ) : null}
                        </li>
                      );
                    })}
                </ul>
              </Card>
            ))}
          </div>
        );
      }}
    </Loaded>
  );
}
