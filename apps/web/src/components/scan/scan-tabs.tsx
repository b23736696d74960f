"use client";

import { useRef, type KeyboardEvent } from "react";
import { cn } from "../../lib/cn";
import { EvidenceTab } from "./tabs/evidence-tab";
import { PagesTab } from "./tabs/pages-tab";
import { PerformanceTab } from "./tabs/performance-tab";
import { SecurityTab } from "./tabs/security-tab";
import { TechnologiesTab } from "./tabs/technologies-tab";
import { VulnerabilitiesTab } from "./tabs/vulnerabilities-tab";

const TABS = [
  { id: "technologies", label: "Technologies" },
  { id: "security", label: "Security" },
  { id: "vulnerabilities", label: "Vulnerable libraries" },
  { id: "performance", label: "Performance & third parties" },
  { id: "pages", label: "Pages" },
  { id: "evidence", label: "Evidence" },
] as const;

export type TabId = (typeof TABS)[number]["id"];
export const TAB_IDS: readonly TabId[] = TABS.map((tab) => tab.id);

export interface TabProps {
  scanId: string;
  /** Opens the evidence explorer filtered to a finding. */
  showEvidence: (findingId: string) => void;
}

/** WAI-ARIA tabs: arrow keys move between tabs, the selected one is in the URL so it survives a reload. */
export function ScanTabs({
  scanId,
  tab,
  onSelect,
  filters,
  finished,
}: {
  scanId: string;
  tab: TabId;
  onSelect: (tab: TabId, extra?: Record<string, string>) => void;
  filters: URLSearchParams;
  finished: boolean;
}) {
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = TAB_IDS.indexOf(tab);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = TAB_IDS[(index + step + TAB_IDS.length) % TAB_IDS.length]!;
    onSelect(next);
    tabRefs.current[next]?.focus();
  };
  const showEvidence = (findingId: string) => onSelect("evidence", { finding: findingId });
  const props: TabProps = { scanId, showEvidence };

  return (
    <section className="flex flex-col gap-4" aria-label="Results">
      {!finished ? (
        <p className="text-sm text-muted-foreground">Results fill in as the stages finish.</p>
      ) : null}
      <div className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
        <div
          role="tablist"
          aria-label="Scan results"
          onKeyDown={onKeyDown}
          className="flex min-w-max gap-1 border-b border-border"
        >
          {TABS.map((entry) => {
            const selected = entry.id === tab;
            return (
              <button
                key={entry.id}
                ref={(element) => {
                  tabRefs.current[entry.id] = element;
                }}
                type="button"
                role="tab"
                id={`tab-${entry.id}`}
                aria-selected={selected}
                aria-controls={`panel-${entry.id}`}
                tabIndex={selected ? 0 : -1}
                onClick={() => onSelect(entry.id)}
                className={cn(
                  "-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors",
                  selected
                    ? "border-primary text-foreground"
                    : "border-transparent text-muted-foreground hover:text-foreground",
                )}
              >
                {entry.label}
              </button>
            );
          })}
        </div>
      </div>
      <div
        role="tabpanel"
        id={`panel-${tab}`}
        aria-labelledby={`tab-${tab}`}
        tabIndex={0}
        className="rounded-md"
      >
        {tab === "technologies" ? <TechnologiesTab {...props} /> : null}
        {tab === "security" ? <SecurityTab {...props} /> : null}
        {tab === "vulnerabilities" ? <VulnerabilitiesTab {...props} /> : null}
        {tab === "performance" ? <PerformanceTab {...props} /> : null}
        {tab === "pages" ? <PagesTab {...props} /> : null}
        {tab === "evidence" ? (
          <EvidenceTab
            {...props}
            finding={filters.get("finding")}
            kind={filters.get("kind")}
            page={filters.get("page")}
            onFilter={(extra) => onSelect("evidence", extra)}
          />
        ) : null}
      </div>
    </section>
  );
}
