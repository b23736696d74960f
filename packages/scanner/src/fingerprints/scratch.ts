import { readFileSync } from "node:fs";
import { EvidenceSet } from "../evidence";
import { detectTechnologies, snapshotFromHtml, getFingerprintDatabase } from "./index";
const t0 = performance.now();
getFingerprintDatabase();
console.log("compile ms", performance.now() - t0);
for (const site of process.argv.slice(2)) {
  const dir = `/work/main/fixtures/sites/${site}`;
  let rules: any = {}; try { rules = JSON.parse(readFileSync(`${dir}/_headers.json`, "utf8")); } catch {}
  const origin = "http://127.0.0.1:8080";
  const html = readFileSync(`${dir}/index.html`, "utf8").replaceAll("{{origin}}", origin);
  const headers = { ...rules["*"]?.headers, ...rules["/"]?.headers };
  const page = snapshotFromHtml({ url: origin + "/", html, headers });
  const ev = new EvidenceSet();
  const t1 = performance.now();
  const found = detectTechnologies([page], { origin, robotsTxt: null, tls: null, dns: null }, ev);
  console.log(site, "ms", performance.now() - t1);
  for (const f of found) console.log(" ", f.name, f.version, f.confidence, f.categories.join(","), f.evidence.map((id) => { const e = ev.get(id)!; return `${e.kind}|${e.locator}|${e.snippet.slice(0, 100)}`; }));
}
