/**
 * Who runs the common third-party hosts, by domain suffix (the longest
 * matching suffix wins). Hosts not listed fall back to their registrable
 * domain as the owner.
 */
export interface ThirdPartyOwner {
  owner: string;
  category: string;
}

const OWNERS: Record<string, ThirdPartyOwner> = {
  "google-analytics.com": { owner: "Google Analytics", category: "analytics" },
  "analytics.google.com": { owner: "Google Analytics", category: "analytics" },
  "googletagmanager.com": { owner: "Google Tag Manager", category: "tag-manager" },
  "doubleclick.net": { owner: "Google Ads", category: "advertising" },
  "googlesyndication.com": { owner: "Google Ads", category: "advertising" },
  "googleadservices.com": { owner: "Google Ads", category: "advertising" },
  "fonts.googleapis.com": { owner: "Google Fonts", category: "fonts" },
  "fonts.gstatic.com": { owner: "Google Fonts", category: "fonts" },
  "ajax.googleapis.com": { owner: "Google Hosted Libraries", category: "cdn" },
  "maps.googleapis.com": { owner: "Google Maps", category: "maps" },
  "recaptcha.net": { owner: "Google reCAPTCHA", category: "security" },
  "gstatic.com": { owner: "Google", category: "cdn" },
  "googleapis.com": { owner: "Google", category: "api" },
  "youtube.com": { owner: "YouTube", category: "video" },
  "youtube-nocookie.com": { owner: "YouTube", category: "video" },
  "ytimg.com": { owner: "YouTube", category: "video" },
  "facebook.net": { owner: "Facebook", category: "social" },
  "facebook.com": { owner: "Facebook", category: "social" },
  "fbcdn.net": { owner: "Facebook", category: "social" },
  "instagram.com": { owner: "Instagram", category: "social" },
  "twitter.com": { owner: "X (Twitter)", category: "social" },
  "twimg.com": { owner: "X (Twitter)", category: "social" },
  "linkedin.com": { owner: "LinkedIn", category: "social" },
  "licdn.com": { owner: "LinkedIn", category: "social" },
  "hotjar.com": { owner: "Hotjar", category: "analytics" },
  "hotjar.io": { owner: "Hotjar", category: "analytics" },
  "segment.com": { owner: "Segment", category: "analytics" },
  "segment.io": { owner: "Segment", category: "analytics" },
  "mixpanel.com": { owner: "Mixpanel", category: "analytics" },
  "amplitude.com": { owner: "Amplitude", category: "analytics" },
  "intercom.io": { owner: "Intercom", category: "customer-support" },
  "intercomcdn.com": { owner: "Intercom", category: "customer-support" },
  "zdassets.com": { owner: "Zendesk", category: "customer-support" },
  "hubspot.com": { owner: "HubSpot", category: "marketing" },
  "hs-scripts.com": { owner: "HubSpot", category: "marketing" },
  "hs-analytics.net": { owner: "HubSpot", category: "marketing" },
  "hsforms.net": { owner: "HubSpot", category: "marketing" },
  "marketo.net": { owner: "Adobe Marketo", category: "marketing" },
  "stripe.com": { owner: "Stripe", category: "payments" },
  "stripe.network": { owner: "Stripe", category: "payments" },
  "paypal.com": { owner: "PayPal", category: "payments" },
  "cloudflare.com": { owner: "Cloudflare", category: "cdn" },
  "cdnjs.cloudflare.com": { owner: "cdnjs", category: "cdn" },
  "cloudflareinsights.com": { owner: "Cloudflare Web Analytics", category: "analytics" },
  "jsdelivr.net": { owner: "jsDelivr", category: "cdn" },
  "unpkg.com": { owner: "unpkg", category: "cdn" },
  "fastly.net": { owner: "Fastly", category: "cdn" },
  "akamaihd.net": { owner: "Akamai", category: "cdn" },
  "akamaized.net": { owner: "Akamai", category: "cdn" },
  "edgekey.net": { owner: "Akamai", category: "cdn" },
  "cloudfront.net": { owner: "Amazon CloudFront", category: "cdn" },
  "amazonaws.com": { owner: "Amazon Web Services", category: "hosting" },
  "azureedge.net": { owner: "Microsoft Azure CDN", category: "cdn" },
  "clarity.ms": { owner: "Microsoft Clarity", category: "analytics" },
  "bing.com": { owner: "Microsoft Advertising", category: "advertising" },
  "sentry.io": { owner: "Sentry", category: "monitoring" },
  "sentry-cdn.com": { owner: "Sentry", category: "monitoring" },
  "datadoghq.com": { owner: "Datadog", category: "monitoring" },
  "datadoghq-browser-agent.com": { owner: "Datadog", category: "monitoring" },
  "nr-data.net": { owner: "New Relic", category: "monitoring" },
  "newrelic.com": { owner: "New Relic", category: "monitoring" },
  "vimeo.com": { owner: "Vimeo", category: "video" },
  "vimeocdn.com": { owner: "Vimeo", category: "video" },
  "adobedtm.com": { owner: "Adobe Experience Platform", category: "tag-manager" },
  "omtrdc.net": { owner: "Adobe Analytics", category: "analytics" },
  "demdex.net": { owner: "Adobe Audience Manager", category: "advertising" },
  "typekit.net": { owner: "Adobe Fonts", category: "fonts" },
  "onetrust.com": { owner: "OneTrust", category: "consent" },
  "cookielaw.org": { owner: "OneTrust", category: "consent" },
  "cookiebot.com": { owner: "Cookiebot", category: "consent" },
  "optimizely.com": { owner: "Optimizely", category: "a-b-testing" },
  "shopify.com": { owner: "Shopify", category: "ecommerce" },
  "shopifycdn.com": { owner: "Shopify", category: "ecommerce" },
  "wp.com": { owner: "WordPress.com", category: "cdn" },
  "gravatar.com": { owner: "Gravatar", category: "cdn" },
};

/** The owner entry for a host, by its longest listed domain suffix. */
export function ownerOf(host: string): ThirdPartyOwner | null {
  const labels = host.toLowerCase().replace(/\.$/, "").split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    const entry = OWNERS[labels.slice(i).join(".")];
    if (entry) return entry;
  }
  return null;
}
