/**
 * The detect benchmark's corpus: every HTML page of the fixture sites (with
 * the headers their `_headers.json` gives) plus synthetic pages built from
 * realistic stacks. Generated deterministically from a seed, so every run
 * analyses the same bytes.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { SITES_DIR, listFixtureSites } from "@techscaniq/fixtures";

export interface CorpusPage {
  url: string;
  html: string;
  headers: Record<string, string | string[]>;
}

/** mulberry32: a small seeded PRNG, so the corpus is the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return htmlFiles(full);
    return name.endsWith(".html") ? [full] : [];
  });
}

type HeaderRules = Record<string, { headers?: Record<string, string | string[]> }>;

function fixturePages(): CorpusPage[] {
  return listFixtureSites().flatMap((site) => {
    const siteDir = join(SITES_DIR, site);
    const origin = `https://${site}.example`;
    let rules: HeaderRules = {};
    try {
      rules = JSON.parse(readFileSync(join(siteDir, "_headers.json"), "utf8")) as HeaderRules;
    } catch {
      // A site without _headers.json answers with default headers only.
    }
    return htmlFiles(siteDir).map((file) => {
      const path =
        "/" +
        relative(siteDir, file)
          .split(sep)
          .join("/")
          .replace(/index\.html$/, "");
      const fill = (text: string) => text.replaceAll("{{origin}}", origin);
      const headers: Record<string, string | string[]> = { "content-type": "text/html; charset=utf-8" };
      for (const source of [rules["*"]?.headers, rules[path]?.headers]) {
        for (const [name, value] of Object.entries(source ?? {})) {
          headers[name.toLowerCase()] = Array.isArray(value) ? value.map(fill) : fill(value);
        }
      }
      return { url: origin + path, html: fill(readFileSync(file, "utf8")), headers };
    });
  });
}

interface Stack {
  name: string;
  headers: (v: Pick) => Record<string, string | string[]>;
  head: (v: Pick) => string[];
  body: (v: Pick) => string[];
}

type Pick = <T>(options: readonly T[]) => T;

const SERVERS = [
  { server: "nginx/1.18.0 (Ubuntu)" },
  { server: "nginx" },
  { server: "Apache/2.4.57 (Debian)" },
  { server: "Apache" },
  { server: "cloudflare", "cf-ray": "8a1b2c3d4e5f6a7b-FRA", "cf-cache-status": "HIT" },
  { server: "Microsoft-IIS/10.0", "x-aspnet-version": "4.0.30319", "x-powered-by": "ASP.NET" },
  { server: "LiteSpeed" },
  { server: "Vercel", "x-vercel-id": "fra1::abcde-1700000000000-0123456789ab" },
  { server: "AmazonS3", "x-amz-cf-id": "k1Y3J0d2V8pQ==", via: "1.1 0a1b2c.cloudfront.net (CloudFront)" },
  { server: "openresty/1.21.4.1" },
] as const;

const JQUERY = ["1.12.4", "2.2.4", "3.5.1", "3.6.0", "3.6.4", "3.7.1"] as const;
const BOOTSTRAP = ["3.4.1", "4.6.2", "5.1.3", "5.3.2"] as const;
const REACT = ["16.14.0", "17.0.2", "18.2.0"] as const;
const VUE = ["2.6.14", "2.7.14", "3.3.4"] as const;
const WORDPRESS = ["5.8.3", "6.1.1", "6.2.2", "6.3.1", "6.4.2"] as const;
const PHP = ["7.4.33", "8.0.30", "8.1.2", "8.2.12"] as const;

const EXTRAS: ((pick: Pick) => string)[] = [
  () =>
    `<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABCD1234"></script>\n<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-ABCD1234');</script>`,
  () =>
    `<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-AB12CD');</script>`,
  () => `<script src="https://connect.facebook.net/en_US/fbevents.js" async></script>`,
  () => `<script src="https://static.hotjar.com/c/hotjar-123456.js?sv=6" async></script>`,
  () => `<script src="https://js.hs-scripts.com/1234567.js" async defer id="hs-script-loader"></script>`,
  () => `<script src="https://widget.intercom.io/widget/abc123" async></script>`,
  (pick) =>
    `<link rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/font-awesome/${pick(["4.7.0", "5.15.4", "6.4.2"])}/css/all.min.css">`,
  () =>
    `<link rel="preconnect" href="https://fonts.googleapis.com"><link href="https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap" rel="stylesheet">`,
  () => `<script src="https://js.stripe.com/v3/" async></script>`,
  () => `<script defer data-domain="example.com" src="https://plausible.io/js/plausible.js"></script>`,
  () => `<script src="https://www.google.com/recaptcha/api.js" async defer></script>`,
  (pick) =>
    `<script src="https://cdn.jsdelivr.net/npm/lodash@${pick(["4.17.15", "4.17.21"])}/lodash.min.js"></script>`,
  (pick) =>
    `<script src="https://cdnjs.cloudflare.com/ajax/libs/moment.js/${pick(["2.24.0", "2.29.4"])}/moment.min.js"></script>`,
  () =>
    `<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="0123-4567" charset="UTF-8"></script>`,
];

const STACKS: Stack[] = [
  {
    name: "wordpress",
    headers: (pick) => ({
      "x-powered-by": `PHP/${pick(PHP)}`,
      link: '<https://site.example/wp-json/>; rel="https://api.w.org/"',
    }),
    head: (pick) => {
      const wp = pick(WORDPRESS);
      return [
        `<meta name="generator" content="WordPress ${wp}">`,
        `<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/block-library/style.min.css?ver=${wp}" media="all">`,
        `<link rel="stylesheet" id="theme-css" href="/wp-content/themes/${pick(["astra", "twentytwentyfour", "generatepress", "divi"])}/style.css?ver=${pick(["1.2.0", "1700000000", "4.5.1"])}" media="all">`,
        `<script src="/wp-includes/js/jquery/jquery.min.js?ver=${pick(JQUERY)}" id="jquery-core-js"></script>`,
        `<script src="/wp-content/plugins/${pick(["contact-form-7/includes/js/index.js?ver=5.8.4", "woocommerce/assets/js/frontend/woocommerce.min.js?ver=8.3.1", "elementor/assets/js/frontend.min.js?ver=3.17.3", "wordpress-seo/js/dist/main.js?ver=21.5"])}"></script>`,
      ];
    },
    body: () => [`<script src="/wp-includes/js/wp-emoji-release.min.js?ver=6.4.2"></script>`],
  },
  {
    name: "drupal",
    headers: (pick) => ({
      "x-generator": `Drupal ${pick(["9", "10"])} (https://www.drupal.org)`,
      "x-drupal-cache": "HIT",
      "x-powered-by": `PHP/${pick(PHP)}`,
    }),
    head: (pick) => [
      `<meta name="Generator" content="Drupal ${pick(["9", "10"])} (https://www.drupal.org)">`,
      `<script src="/core/misc/drupal.js?v=${pick(["9.5.11", "10.1.6"])}"></script>`,
      `<script src="/core/assets/vendor/jquery/jquery.min.js?v=${pick(JQUERY)}"></script>`,
    ],
    body: () => [
      `<script type="application/json" data-drupal-selector="drupal-settings-json">{"path":{"baseUrl":"\\/"}}</script>`,
    ],
  },
  {
    name: "joomla",
    headers: () => ({ "x-content-encoded-by": "Joomla! 4.3" }),
    head: () => [
      `<meta name="generator" content="Joomla! - Open Source Content Management">`,
      `<script src="/media/system/js/core.min.js?5c8a6b"></script>`,
    ],
    body: () => [],
  },
  {
    name: "shopify",
    headers: () => ({ "x-shopid": "12345678", "x-shopify-stage": "production", "powered-by": "Shopify" }),
    head: () => [
      `<link rel="preconnect" href="https://cdn.shopify.com" crossorigin>`,
      `<script src="//cdn.shopify.com/s/files/1/0123/4567/t/3/assets/theme.js?v=123456789" defer></script>`,
      `<script>window.Shopify = window.Shopify || {}; Shopify.shop = "store.myshopify.com"; Shopify.theme = {"name":"Dawn","id":123};</script>`,
    ],
    body: () => [],
  },
  {
    name: "nextjs",
    headers: (pick) => ({ "x-powered-by": `Next.js`, "x-nextjs-cache": pick(["HIT", "STALE"]) }),
    head: () => [
      `<link rel="preload" href="/_next/static/media/inter.woff2" as="font" crossorigin>`,
      `<script src="/_next/static/chunks/webpack-8fa1640cc84ba8fe.js" defer></script>`,
      `<script src="/_next/static/chunks/framework-2645a99191cfc5e9.js" defer></script>`,
    ],
    body: () => [
      `<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{}},"page":"/","query":{},"buildId":"x1y2z3"}</script>`,
    ],
  },
  {
    name: "nuxt",
    headers: () => ({ "x-powered-by": "Nuxt" }),
    head: () => [`<link rel="modulepreload" href="/_nuxt/entry.4c7b2f1a.js">`],
    body: () => [
      `<div id="__nuxt"><div data-v-1a2b3c4d class="page"></div></div>`,
      `<script>window.__NUXT__={config:{}}</script>`,
    ],
  },
  {
    name: "react-cra",
    headers: () => ({}),
    head: (pick) => [
      `<meta name="description" content="Web site created using create-react-app">`,
      `<script src="https://unpkg.com/react@${pick(REACT)}/umd/react.production.min.js" crossorigin></script>`,
      `<script defer="defer" src="/static/js/main.4f2a1c.js"></script>`,
    ],
    body: () => [`<div id="root"></div>`],
  },
  {
    name: "angular",
    headers: () => ({}),
    head: () => [
      `<script src="runtime.3b1c2d.js" type="module"></script>`,
      `<script src="main.9f8e7d.js" type="module"></script>`,
    ],
    body: (pick) => [`<app-root ng-version="${pick(["15.2.9", "16.2.12", "17.0.5"])}"></app-root>`],
  },
  {
    name: "vue",
    headers: () => ({}),
    head: (pick) => [`<script src="https://cdn.jsdelivr.net/npm/vue@${pick(VUE)}/dist/vue.min.js"></script>`],
    body: () => [`<div id="app" data-v-app><div data-v-7ba5bd90 class="hero"></div></div>`],
  },
  {
    name: "laravel",
    headers: (pick) => ({
      "x-powered-by": `PHP/${pick(PHP)}`,
      "set-cookie": [
        "XSRF-TOKEN=eyJpdiI6IjEyMyJ9; path=/; samesite=lax",
        "laravel_session=eyJpdiI6IjQ1NiJ9; path=/; httponly; samesite=lax",
      ],
    }),
    head: () => [
      `<meta name="csrf-token" content="AbCdEf0123456789">`,
      `<script src="/js/app.js?id=8b2f5a" defer></script>`,
    ],
    body: () => [],
  },
  {
    name: "django",
    headers: () => ({
      "set-cookie": ["csrftoken=AbC123; Path=/; SameSite=Lax", "sessionid=xyz789; HttpOnly; Path=/"],
    }),
    head: () => [],
    body: () => [
      `<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="abc123"></form>`,
    ],
  },
  {
    name: "rails",
    headers: () => ({
      "x-runtime": "0.042315",
      "x-request-id": "b1c2d3",
      "set-cookie": ["_shop_session=abc123; path=/; HttpOnly"],
    }),
    head: () => [
      `<meta name="csrf-param" content="authenticity_token">`,
      `<meta name="csrf-token" content="abc123">`,
      `<script src="/assets/application-1a2b3c.js" data-turbo-track="reload" defer></script>`,
    ],
    body: () => [],
  },
  {
    name: "aspnet",
    headers: () => ({
      "x-aspnet-version": "4.0.30319",
      "set-cookie": ["ASP.NET_SessionId=abc123; path=/; HttpOnly"],
    }),
    head: () => [],
    body: () => [
      `<form method="post" action="./" id="form1"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk"></form>`,
    ],
  },
  {
    name: "magento",
    headers: () => ({
      "x-magento-tags": "cms_b_1",
      "set-cookie": ["form_key=abc123; path=/", "mage-cache-sessid=true; path=/"],
    }),
    head: () => [
      `<script type="text/x-magento-init">{"*":{"Magento_Ui/js/core/app":{}}}</script>`,
      `<script src="/static/version1699999999/frontend/Magento/luma/en_US/requirejs/require.js"></script>`,
    ],
    body: () => [],
  },
  {
    name: "squarespace",
    headers: () => ({ server: "Squarespace" }),
    head: () => [
      `<!-- This is Squarespace. --><script src="https://static1.squarespace.com/static/vta/5c5a519771c10ba3470d8101/scripts/site-bundle.js"></script>`,
    ],
    body: () => [],
  },
  {
    name: "wix",
    headers: () => ({ "x-wix-request-id": "1700000000.123", server: "Pepyaka" }),
    head: () => [
      `<meta name="generator" content="Wix.com Website Builder">`,
      `<script src="https://static.parastorage.com/services/wix-thunderbolt/dist/main.js"></script>`,
    ],
    body: () => [],
  },
  {
    name: "ghost",
    headers: () => ({ "x-powered-by": "Express" }),
    head: (pick) => [
      `<meta name="generator" content="Ghost ${pick(["5.71", "5.74"])}">`,
      `<script src="https://cdn.jsdelivr.net/ghost/portal@~2.36/umd/portal.min.js" defer></script>`,
    ],
    body: () => [],
  },
  {
    name: "hugo",
    headers: () => ({}),
    head: (pick) => [`<meta name="generator" content="Hugo ${pick(["0.119.0", "0.121.1"])}">`],
    body: () => [],
  },
  {
    name: "static-bootstrap",
    headers: () => ({}),
    head: (pick) => [
      `<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@${pick(BOOTSTRAP)}/dist/css/bootstrap.min.css">`,
      `<script src="https://code.jquery.com/jquery-${pick(JQUERY)}.min.js"></script>`,
      `<script src="https://cdn.jsdelivr.net/npm/bootstrap@${pick(BOOTSTRAP)}/dist/js/bootstrap.bundle.min.js"></script>`,
    ],
    body: () => [],
  },
];

const WORDS =
  "market pricing growth platform customer security cloud data team product service support contact about careers news partners enterprise solution report".split(
    " ",
  );

function filler(rand: () => number, pick: Pick): string {
  const sections: string[] = [];
  const count = 8 + Math.floor(rand() * 40);
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 30 + Math.floor(rand() * 60) }, () => pick(WORDS)).join(" ");
    sections.push(
      `<section class="block block-${i} ${pick(["light", "dark", "wide"])}"><div class="container"><div class="row"><div class="col">` +
        `<h2 id="s${i}">${pick(WORDS)} ${pick(WORDS)}</h2><p>${words}.</p>` +
        `<ul class="list">${Array.from({ length: 3 }, () => `<li><a href="/${pick(WORDS)}/${pick(WORDS)}">${pick(WORDS)}</a></li>`).join("")}</ul>` +
        `<img src="/uploads/${pick(WORDS)}-${i}.jpg" alt="${pick(WORDS)}" loading="lazy" width="640" height="360">` +
        `</div></div></div></section>`,
    );
  }
  return sections.join("\n");
}

function syntheticPage(index: number, rand: () => number): CorpusPage {
  const pick: Pick = (options) => options[Math.floor(rand() * options.length)]!;
  const stack = STACKS[index % STACKS.length]!;
  const extras = EXTRAS.filter(() => rand() < 0.25).map((extra) => extra(pick));
  const headers: Record<string, string | string[]> = {
    "content-type": "text/html; charset=UTF-8",
    ...pick(SERVERS),
    ...stack.headers(pick),
  };
  const html = [
    "<!DOCTYPE html>",
    `<html lang="${pick(["en", "en-US", "de", "fr"])}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${pick(WORDS)} – ${stack.name} site ${index}</title>`,
    ...stack.head(pick),
    ...extras,
    "</head>",
    `<body class="${stack.name} page-${index}">`,
    `<header class="site-header"><nav><a href="/">Home</a> <a href="/${pick(WORDS)}/">${pick(WORDS)}</a></nav></header>`,
    "<main>",
    filler(rand, pick),
    "</main>",
    ...stack.body(pick),
    `<footer><p>&copy; 2024 ${pick(WORDS)} Ltd.</p></footer>`,
    "</body>",
    "</html>",
  ].join("\n");
  return { url: `https://${stack.name}-${index}.example/`, html, headers };
}

/** The fixture pages plus `synthetic` generated pages (at least 200 pages in all by default). */
export function buildDetectCorpus(synthetic = 220, seed = 20240115): CorpusPage[] {
  const rand = random(seed);
  return [...fixturePages(), ...Array.from({ length: synthetic }, (_, i) => syntheticPage(i, rand))];
}
