import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineEnv, emptyAsUnset } from "./env";

describe("style: one env style", () => {
  const definition = defineEnv(
    "example",
    z.object({
      PORT: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).default(3000)),
      MODE: z.enum(["a", "b"]),
    }),
    (parsed, source) => ({ ...parsed, extra: source.EXTRA ?? null }),
  );

  it("parses only the source it is given and derives the rest", () => {
    expect(definition.load({ MODE: "a", PORT: "" })).toEqual({ PORT: 3000, MODE: "a", extra: null });
    expect(definition.load({ MODE: "b", PORT: "8080", EXTRA: "x" })).toEqual({
      PORT: 8080,
      MODE: "b",
      extra: "x",
    });
  });

  it("names every bad variable in one error", () => {
    expect(() => definition.load({ PORT: "0", MODE: "c" })).toThrow(
      /^Invalid example environment: PORT: .*; MODE: /,
    );
  });

  it("exposes the schema so a package can document or extend it", () => {
    expect(Object.keys((definition.schema as z.ZodObject).shape)).toEqual(["PORT", "MODE"]);
  });
});
