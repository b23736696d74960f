import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Technology names a claim may assert, from the webappanalyzer fingerprint
 * database the scanner uses. Single plain words ("Medium", "Flow", "Express")
 * are mostly ordinary English, so only a curated few of them count as
 * technology names; the technologies detected in the scan always count.
 */
const PROMINENT_SINGLE_WORDS = [
  "Akamai",
  "Algolia",
  "Angular",
  "Astro",
  "Bootstrap",
  "Bulma",
  "Cloudflare",
  "Datadog",
  "Django",
  "Docker",
  "Drupal",
  "Elixir",
  "Erlang",
  "Express",
  "Fastly",
  "Flask",
  "Gatsby",
  "Ghost",
  "Hotjar",
  "Heroku",
  "Hugo",
  "Java",
  "Jekyll",
  "Joomla",
  "Kotlin",
  "Laravel",
  "Lodash",
  "Magento",
  "Netlify",
  "Nginx",
  "Perl",
  "Python",
  "React",
  "Redis",
  "Redux",
  "Ruby",
  "Rust",
  "Sass",
  "Scala",
  "Segment",
  "Sentry",
  "Shopify",
  "Spring",
  "Stripe",
  "Svelte",
  "Symfony",
  "Varnish",
  "Vercel",
  "Vite",
  "Webflow",
  "Webpack",
  "Wix",
  "Kubernetes",
  "Apache",
  "Caddy",
  "Jetty",
  "Tomcat",
  "Kestrel",
  "Vue",
];

let databasePattern: RegExp | null = null;

function loadDatabaseNames(): string[] {
  const require = createRequire(import.meta.url);
  const folder = join(dirname(require.resolve("wappalyzer/package.json")), "technologies");
  const names = new Set<string>(PROMINENT_SINGLE_WORDS);
  for (const file of readdirSync(folder).filter((name) => name.endsWith(".json"))) {
    for (const name of Object.keys(
      JSON.parse(readFileSync(join(folder, file), "utf8")) as Record<string, unknown>,
    )) {
      if (name.length >= 3 && !/^[A-Z][a-z]+$/.test(name)) names.add(name);
    }
  }
  return [...names];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function alternation(names: Iterable<string>): string {
  const sorted = [...new Set(names)]
    .filter((name) => name.trim().length >= 2)
    .sort((a, b) => b.length - a.length);
  // A name is a whole token: not glued to letters, digits or a dotted/dashed continuation.
  return `(?<![\\w.@/-])(?:${sorted.map(escapeRegExp).join("|")})(?![\\w-]|\\.\\w)`;
}

/**
 * Finds technology names in free text. Database names match with their exact
 * case (so "UPS" is a carrier but "ups" is a word); the scan's own detections
 * match in any case.
 */
export function technologyNameFinder(detectedNames: Iterable<string> = []): (text: string) => string[] {
  databasePattern ??= new RegExp(alternation(loadDatabaseNames()), "g");
  const database = databasePattern;
  const detected = [...detectedNames];
  const scanOwn = detected.length ? new RegExp(alternation(detected), "gi") : null;
  return (text) => {
    const found = [...text.matchAll(database)].map((match) => match[0]);
    if (scanOwn) found.push(...[...text.matchAll(scanOwn)].map((match) => match[0]));
    return [...new Set(found)];
  };
}
