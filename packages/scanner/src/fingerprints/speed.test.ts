import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SITES_DIR, listFixtureSites } from "@techscaniq/fixtures";
import { describe, expect, it } from "vitest";
import { candidates, domRulesToCheck, selectElements } from "./analyze";
import { type ListKind, getFingerprintDatabase, selectorSubjects } from "./compile";
import { type PageInputs, extractPageInputs } from "./page";
import { snapshotFromHtml } from "./snapshot";
import { TextIndex } from "./text-index";

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return htmlFiles(full);
    return name.endsWith(".html") ? [full] : [];
  });
}

/** Every HTML page of the fixture sites, plus one page that exercises selector shapes. */
function pages(): PageInputs[] {
  const sources = listFixtureSites().flatMap((site) => htmlFiles(join(SITES_DIR, site)));
  const shapes = `<html><body class="home">
    <div class="x" id="root"><a href="https://y.example/a">a</a><p class="x"><a href="/b">b</a></p></div>
    <iframe src="https://player.twitch.tv/?channel=z"></iframe><span data-v-1a2b>v</span></body></html>`;
  return [...sources.map((file) => readFileSync(file, "utf8")), shapes].map((html) =>
    extractPageInputs(snapshotFromHtml({ url: "https://site.example/", html })),
  );
}

describe("detect speed: the engine's indexes pick exactly what checking everything picks", () => {
  const db = getFingerprintDatabase();
  const inputs = pages();

  it("names the subject of each selector alternative, and declines what names cannot describe", () => {
    expect(selectorSubjects("div.x > a[href*='y'], #root")).toEqual([["t:a", "@href"], ["#root"]]);
    expect(selectorSubjects("iframe[src*='player\\.twitch\\.tv']")).toEqual([["t:iframe", "@src"]]);
    expect(selectorSubjects("body > *")).toBeNull();
    expect(selectorSubjects("a:first")).toBeNull();
    expect(selectorSubjects("a.b\\:c")).toBeNull();
  });

  it("tries selectors only on elements carrying their subject's names, finding what a query finds", () => {
    let compared = 0;
    for (const page of inputs) {
      for (const rule of db.dom) {
        if (!rule.readsElements || !rule.subjects) continue;
        expect(selectElements(rule, page), rule.selector).toEqual(page.$(rule.selector).toArray());
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(inputs.length * 900);
  });

  it("looks at every DOM rule whose requirements a page meets", () => {
    for (const page of inputs) {
      const present = (token: string) =>
        token.startsWith("v:") ? page.htmlIndex.contains(token.slice(2)) : page.elementsByName.has(token);
      const met = db.dom.filter(
        (rule) => !rule.requirements || rule.requirements.some((tokens) => tokens.every(present)),
      );
      const checked = new Set(domRulesToCheck(db, page));
      expect(met.filter((rule) => !checked.has(rule))).toEqual([]);
    }
  });

  it("selects, in list order, the patterns whose literals occur, as filtering every pattern does", () => {
    for (const page of inputs) {
      const texts: [ListKind, string][] = [
        ["html", page.htmlIndex.text],
        ["scriptSrc", page.scriptSrc.join("\n").toLowerCase()],
        ["scripts", page.scripts.map((s) => s.content.toLowerCase()).join("\n")],
      ];
      for (const [kind, text] of texts) {
        const everyPattern = db.lists[kind].filter(
          (p) => !p.literals || p.literals.some((literal) => text.includes(literal)),
        );
        expect(candidates(db, kind, new TextIndex(text))).toEqual(everyPattern);
      }
    }
  });
});
