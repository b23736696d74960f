import { describe, expect, it } from "vitest";
import { medianRoundRatio, timeAlternated } from "./_alternated";

describe("detect speed: engines are timed in alternated rounds on identical pages", () => {
  it("warms each up, then runs ours, theirs, ours, theirs, … over the same page objects", async () => {
    const corpus = [{ id: 1 }, { id: 2 }];
    const calls: string[] = [];
    const seen = new Set<object>();
    const engine = (name: string) => (page: { id: number }) => {
      calls.push(`${name}${page.id}`);
      seen.add(page);
      return page.id;
    };
    const timings = await timeAlternated(corpus, [engine("a"), engine("b")], 2);
    expect(calls.join(" ")).toBe("a1 a2 b1 b2 a1 a2 b1 b2 a1 a2 b1 b2");
    expect(seen).toEqual(new Set(corpus));
    expect(timings.map((t) => t.passMs.length)).toEqual([2, 2]);
    expect(timings.map((t) => t.results)).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it("takes the median of the per-round ratios", () => {
    const timing = (passMs: number[]) => ({ passMs, bestMs: Math.min(...passMs), results: [] });
    expect(medianRoundRatio(timing([1, 2, 4]), timing([10, 30, 20]))).toBe(10);
    expect(medianRoundRatio(timing([1, 1]), timing([10, 20]))).toBe(15);
  });
});
