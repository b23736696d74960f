import { z } from "zod";

/** One row of the scan stage table. */
export interface ScanStageEntry {
  /** Worker task `scan.<name>`, key of its checkpoint in scan_stage_results, a `scan_stage` enum value. */
  readonly name: string;
  /** The step's name on the scan page. */
  readonly label: string;
  /** Its share of the progress bar, against the other stages' weights (wall time, roughly). */
  readonly weight: number;
}

/**
 * The scan pipeline in the order it runs: the one table the stage enums, the
 * API's schema, the scan page's steps, the worker's tasks, their order and
 * the progress bar are derived from. A new stage needs a row here, its
 * implementation in the worker's stage map (typecheck fails without it) and a
 * migration `alter type public.scan_stage add value '<name>' after '<previous stage>'`
 * (a worker test fails while the enum and this table disagree).
 */
export const SCAN_STAGE_TABLE = [
  // Crawling and rendering take most of a scan's time.
  { name: "crawl", label: "Crawl the site", weight: 35 },
  { name: "render", label: "Render pages in Chromium", weight: 35 },
  { name: "detect", label: "Detect technologies", weight: 8 },
  { name: "security", label: "Security checks", weight: 8 },
  { name: "vulns", label: "Vulnerable libraries", weight: 6 },
  { name: "store", label: "Performance and third parties", weight: 8 },
] as const satisfies readonly ScanStageEntry[];

/** The names of a table's rows, as a tuple of their literal types in order (what `z.enum` takes). */
function namesOf<Table extends readonly ScanStageEntry[]>(table: Table) {
  type Names = { readonly [Row in keyof Table]: Table[Row] extends { name: infer Name } ? Name : never };
  return table.map((stage) => stage.name) as Names;
}

/** Stages a scan runs in order; each is its own worker task (`scan.<stage>`) and checkpoint. */
export const SCAN_STAGES = namesOf(SCAN_STAGE_TABLE);
export type ScanStageName = (typeof SCAN_STAGES)[number];
export const ScanStageNameSchema = z.enum(SCAN_STAGES);

/**
 * The scan page's last step: the report pipeline takes over (on
 * `scan.completed`). The `scan_stage` enum ends with it; no scan task runs it.
 */
export const REPORT_HANDOVER_STEP = { name: "report", label: "Hand over to the report" } as const;

/** Every `scan_stage` enum value in the enum's order: the pipeline's stages, then the hand-over. */
export const SCAN_STAGE_VALUES = [...SCAN_STAGES, REPORT_HANDOVER_STEP.name] as const;
export type ScanStageValue = (typeof SCAN_STAGE_VALUES)[number];
export const ScanStageValueSchema = z.enum(SCAN_STAGE_VALUES);

/** The steps the scan page shows, in order. */
export const SCAN_STEPS: readonly { name: ScanStageValue; label: string }[] = [
  ...SCAN_STAGE_TABLE,
  REPORT_HANDOVER_STEP,
];

/** Overall progress (0–100) when a stage starts and when it has finished. */
export interface StageProgressSpan {
  from: number;
  to: number;
}

/** Each stage's span of the progress bar: the weights in table order, scaled to end at 100. */
export function progressSpans<Table extends readonly ScanStageEntry[]>(
  table: Table,
): Record<Table[number]["name"], StageProgressSpan> {
  const total = table.reduce((sum, stage) => sum + stage.weight, 0);
  const percent = (weight: number) => Math.round((100 * weight) / total);
  let before = 0;
  const spans = table.map((stage) => {
    const span = { from: percent(before), to: percent(before + stage.weight) };
    before += stage.weight;
    return [stage.name, span] as const;
  });
  return Object.fromEntries(spans) as Record<Table[number]["name"], StageProgressSpan>;
}

export const SCAN_STAGE_PROGRESS = progressSpans(SCAN_STAGE_TABLE);
