import type { RouterInputs } from "@techscaniq/api/client";
import { cn } from "../../lib/cn";
import { buttonClasses } from "../ui/button";

const EXPORTS = [
  { format: "pdf", label: "PDF" },
  { format: "html", label: "HTML" },
  { format: "md", label: "Markdown" },
  { format: "json", label: "JSON" },
] as const satisfies readonly { format: RouterInputs["report"]["export"]["format"]; label: string }[];

/** Downloads of one report version through the tenant-checked export route. */
export function ExportLinks({
  reportId,
  version,
  className,
}: {
  reportId: string;
  version: number;
  className?: string;
}) {
  return (
    <div role="group" className={cn("flex flex-wrap gap-2", className)} aria-label="Export the report">
      {EXPORTS.map((entry) => (
        <a
          key={entry.format}
          href={`/api/reports/${reportId}/export/${entry.format}?version=${version}`}
          className={buttonClasses("secondary", "sm")}
          download
        >
          {entry.label}
        </a>
      ))}
    </div>
  );
}
