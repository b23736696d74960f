import { ErrorState } from "../ui/states";
import { CitationMarkers } from "./citations";
import type { ReportClaim, ReportSection } from "./types";

const anchorOf = (section: Pick<ReportSection, "id">) => `section-${section.id}`;

/** The section list as links, for the contents column. */
export function SectionContents({ sections }: { sections: readonly ReportSection[] }) {
  return (
    <nav aria-label="Report sections" className="flex flex-col gap-1 text-sm">
      <p className="px-2 pb-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
        Contents
      </p>
      {sections.map((section) => (
        <a
          key={section.id}
          href={`#${anchorOf(section)}`}
          className="rounded-md px-2 py-1 text-muted-foreground hover:bg-muted hover:text-foreground"
        >
          {section.title}
        </a>
      ))}
      <a
        href="#scores"
        className="rounded-md px-2 py-1 text-muted-foreground hover:bg-muted hover:text-foreground"
      >
        Scores
      </a>
    </nav>
  );
}

function SectionTable({ table }: { table: ReportSection["tables"][number] }) {
  return (
    <div className="overflow-x-auto rounded-(--radius-control) border border-border">
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="border-b border-border bg-muted/60 px-3 py-2 text-left text-xs font-medium text-muted-foreground">
          {table.caption}
        </caption>
        <thead>
          <tr className="border-b border-border">
            {table.columns.map((column) => (
              <th
                key={column}
                scope="col"
                className="px-3 py-2 text-xs font-medium whitespace-nowrap text-muted-foreground"
              >
                {column}
              </th>
            ))}
            <th scope="col" className="px-3 py-2 text-xs font-medium text-muted-foreground">
              Evidence
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {table.rows.map((row, index) => (
            <tr key={index}>
              {row.cells.map((cell, cellIndex) => (
                <td key={cellIndex} className="px-3 py-2 align-top break-words">
                  {cell}
                </td>
              ))}
              <td className="px-3 py-2 align-top whitespace-nowrap">
                <CitationMarkers evidenceIds={row.evidence} citedBy={row.cells.join(" · ")} wrap={false} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One section: its verified claims as prose, each followed by its citation markers, then its tables. */
export function ReportSectionView({
  section,
  claims,
}: {
  section: ReportSection;
  claims: ReadonlyMap<string, ReportClaim>;
}) {
  const sectionClaims = section.claimIds
    .map((id) => claims.get(id))
    .filter((claim): claim is ReportClaim => claim !== undefined);
  return (
    <section
      id={anchorOf(section)}
      aria-labelledby={`${anchorOf(section)}-title`}
      className="flex scroll-mt-6 flex-col gap-3"
      data-testid="report-section"
    >
      <h2 id={`${anchorOf(section)}-title`} className="text-lg font-semibold tracking-tight">
        {section.title}
      </h2>
      {section.status === "failed" ? (
        <ErrorState
          title="This section could not be written"
          message={section.error ?? "The analyst gave no usable answer for it."}
        />
      ) : null}
      {sectionClaims.length > 0 ? (
        <p className="text-[0.9375rem] leading-7">
          {sectionClaims.map((claim) => (
            <span key={claim.id} data-testid="claim" data-claim-id={claim.id}>
              {claim.text}
              <CitationMarkers evidenceIds={claim.evidence} citedBy={claim.text} />{" "}
            </span>
          ))}
        </p>
      ) : section.status === "written" && section.tables.length === 0 ? (
        <p className="text-sm text-muted-foreground">No verified claims in this section.</p>
      ) : null}
      {section.tables.map((table, index) => (
        <SectionTable key={index} table={table} />
      ))}
    </section>
  );
}
