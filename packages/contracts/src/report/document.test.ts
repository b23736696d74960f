import { describe, expect, it } from "vitest";
import { publicationSummary } from "./document";

const tally = (published: number, dropped: number) =>
  publicationSummary({
    claims: Array.from({ length: published }) as never,
    dropped: { count: dropped } as never,
  });

describe("report: the publication sentence agrees in number", () => {
  it("says 'was' for one and 'were' for other counts", () => {
    expect(tally(1, 1)).toBe(
      "1 claim was verified and published; 1 was not published because its citations did not check out.",
    );
    expect(tally(3, 0)).toBe(
      "3 claims were verified and published; 0 were not published because their citations did not check out.",
    );
    expect(tally(0, 2)).toBe(
      "0 claims were verified and published; 2 were not published because their citations did not check out.",
    );
  });
});
