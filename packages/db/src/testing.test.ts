import { describe, expect, it } from "vitest";
import { waitUntil } from "./testing";

describe("style: bounded waits", () => {
  it("returns the probe's first ready value", async () => {
    let calls = 0;
    const value = await waitUntil(() => (++calls < 3 ? null : `ready after ${calls}`), {
      what: "the third call",
      timeoutMs: 5_000,
      intervalMs: 1,
    });
    expect(value).toBe("ready after 3");
  });

  it("gives up at its deadline with an error naming what it waited for", async () => {
    await expect(
      waitUntil(async () => false, { what: "a job that never ends", timeoutMs: 50, intervalMs: 5 }),
    ).rejects.toThrow("timed out after 0.05 s waiting for a job that never ends");
  });

  it("ends at once when the probe throws", async () => {
    await expect(
      waitUntil(
        () => {
          throw new Error("the worker exited");
        },
        { what: "the worker", timeoutMs: 60_000 },
      ),
    ).rejects.toThrow("the worker exited");
  });
});
