import { claim, listOf, named, withCategory, type DraftClaim } from "../offline/claims";
import { technologyFindings } from "./findings";
import type { FindingsSection } from "./section";

/** The layers of a site, front to back; a technology is named in the first layer it belongs to. */
const LAYERS: { categories: string[]; sentence: (names: string) => string }[] = [
  { categories: ["CMS", "Blogs", "Wikis"], sentence: (n) => `Content is managed with ${n}.` },
  { categories: ["Ecommerce"], sentence: (n) => `The shop runs on ${n}.` },
  {
    categories: ["JavaScript frameworks", "Web frameworks", "Static site generator", "UI frameworks"],
    sentence: (n) => `The front end is built with ${n}.`,
  },
  { categories: ["Programming languages"], sentence: (n) => `Server-side code runs on ${n}.` },
  { categories: ["Databases"], sentence: (n) => `Data is kept in ${n}.` },
  { categories: ["Operating systems"], sentence: (n) => `The servers run ${n}.` },
  { categories: ["Web servers", "Reverse proxies"], sentence: (n) => `Pages are served by ${n}.` },
  { categories: ["CDN"], sentence: (n) => `Traffic is delivered through ${n} (CDN).` },
  { categories: ["PaaS", "IaaS", "Hosting"], sentence: (n) => `The site is hosted on ${n}.` },
  { categories: ["Payment processors"], sentence: (n) => `Payments are handled by ${n}.` },
];

export const architecture: FindingsSection<"architecture"> = {
  id: "architecture",
  writtenFrom: "findings",
  brief:
    "How the site is built and delivered: CMS or framework, server-side language, web server, CDN, hosting, payments. Say what cannot be seen from outside.",
  findings: technologyFindings,
  writeOffline(context) {
    const claims: DraftClaim[] = [];
    const used = new Set<string>();
    for (const layer of LAYERS) {
      const techs = withCategory(context.scan, layer.categories).filter((t) => !used.has(t.name));
      if (techs.length === 0) continue;
      techs.forEach((t) => used.add(t.name));
      claims.push(
        claim(
          layer.sentence(listOf(techs.map(named))),
          techs.flatMap((t) => t.evidence),
        ),
      );
    }
    if (claims.length === 0)
      claims.push(claim("The scan did not reveal the site's architecture layers.", []));
    claims.push(
      claim(
        "Back-end services, databases and internal infrastructure are not visible from a website scan.",
        [],
      ),
    );
    return claims;
  },
};
