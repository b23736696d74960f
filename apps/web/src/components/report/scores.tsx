import { cn } from "../../lib/cn";
import { Card } from "../ui/card";
import { CitationMarkers } from "./citations";
import type { ReportScore } from "./types";

const TITLES: Record<ReportScore["name"], string> = {
  technology: "Technology",
  security: "Security",
  scalability: "Scalability",
  thesis_alignment: "Thesis alignment",
};

const toneOf = (score: number | null) =>
  score === null
    ? "bg-muted-foreground"
    : score >= 75
      ? "bg-success"
      : score >= 50
        ? "bg-warning"
        : "bg-destructive";

function ScoreTile({ score }: { score: ReportScore }) {
  return (
    <Card className="flex flex-col gap-3 p-5" data-testid="score">
      <div className="flex items-baseline justify-between gap-3">
        <h3 className="font-medium">{TITLES[score.name]}</h3>
        <p className="tabular-nums" data-testid="score-value">
          {score.score === null ? (
            <span className="text-sm text-muted-foreground">not judged</span>
          ) : (
            <>
              <span className="text-2xl font-semibold tracking-tight">{score.score}</span>
              <span className="text-sm text-muted-foreground">/100</span>
            </>
          )}
        </p>
      </div>
      <div className="h-1.5 w-full overflow-hidden rounded-full bg-muted" aria-hidden>
        <div
          className={cn("h-full rounded-full", toneOf(score.score))}
          style={{ width: `${score.score ?? 0}%` }}
        />
      </div>
      <p className="text-xs leading-relaxed text-muted-foreground" data-testid="score-rule">
        Rule: {score.rule}
      </p>
      {score.adjustments.length > 0 ? (
        <ul className="flex flex-col gap-1.5 text-sm" aria-label={`${TITLES[score.name]} adjustments`}>
          <li className="flex gap-2 text-muted-foreground">
            <span className="w-10 shrink-0 text-right font-mono tabular-nums">{score.base}</span>
            <span>base</span>
          </li>
          {score.adjustments.map((adjustment, index) => (
            <li key={index} className="flex gap-2">
              <span
                className={cn(
                  "w-10 shrink-0 text-right font-mono tabular-nums",
                  adjustment.points < 0 ? "text-destructive" : "text-success",
                )}
              >
                {adjustment.points > 0 ? `+${adjustment.points}` : adjustment.points}
              </span>
              <span className="min-w-0 break-words">
                {adjustment.reason}
                <CitationMarkers evidenceIds={adjustment.evidence} citedBy={adjustment.reason} />
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-muted-foreground">
          No adjustments: the score is the base of {score.base}.
        </p>
      )}
    </Card>
  );
}

/** Each score with the rule it follows and the adjustments (with their evidence) that moved it from the base. */
export function ScoresView({ scores }: { scores: readonly ReportScore[] }) {
  return (
    <section id="scores" aria-labelledby="scores-title" className="flex scroll-mt-6 flex-col gap-3">
      <h2 id="scores-title" className="text-lg font-semibold tracking-tight">
        Scores
      </h2>
      <div className="grid gap-4 md:grid-cols-2">
        {scores.map((score) => (
          <ScoreTile key={score.name} score={score} />
        ))}
      </div>
    </section>
  );
}
