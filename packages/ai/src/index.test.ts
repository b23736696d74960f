import { describe, expect, it } from "vitest";
import { configuredProviders } from "./index";

describe("configuredProviders", () => {
  it("always ends with the offline analyst so reports work without any key", () => {
    const providers = configuredProviders();
    expect(providers.at(-1)).toBe("offline");
    expect(new Set(providers).size).toBe(providers.length);
  });
});
