import { describe, expect, it } from "vitest";
import { factTerms } from "./highlight-terms";

describe("factTerms", () => {
  it("keeps names, versions, header names and quoted text, not plain words", () => {
    const terms = factTerms(
      'The site runs WordPress 6.4.2 behind nginx/1.22.1, and the X-Powered-By header says "PHP/8.1".',
    );
    expect(terms).toEqual(
      expect.arrayContaining(["WordPress", "6.4.2", "nginx/1.22.1", "X-Powered-By", "PHP/8.1"]),
    );
    expect(terms).not.toContain("The");
    expect(terms).not.toContain("site");
    expect(terms).not.toContain("header");
  });

  it("skips a capitalised word that only starts a sentence, keeps one in the middle", () => {
    expect(factTerms("Cookies are set without Secure.")).toEqual(["Secure"]);
  });

  it("has nothing to mark in a sentence without concrete facts", () => {
    expect(factTerms("the site looks well maintained")).toEqual([]);
  });
});
