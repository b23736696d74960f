import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { toGraphileLogger } from "./logger";

/** A pino logger at info writing its lines into an array. */
function capture() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, graphile: toGraphileLogger(logger) };
}

describe("worker logs: the minute ticks do not flood the console", () => {
  it("keeps a crontab job's completion at debug and every other job's at info", () => {
    const { lines, graphile } = capture();
    const job = (payload: unknown) => ({ job: { id: "1", task_identifier: "t", payload } });
    graphile.info("Completed task 1 (agent.schedule_tick) with success", job({ _cron: { ts: "x" } }));
    graphile.info("Completed task 2 (scan.crawl) with success", job({ scanId: "s" }));
    graphile.warn("Failed task 3 (agent.schedule_tick)", job({ _cron: { ts: "x" } }));
    expect(lines.map((line) => line.msg)).toEqual([
      "Completed task 2 (scan.crawl) with success",
      "Failed task 3 (agent.schedule_tick)",
    ]);
  });
});
