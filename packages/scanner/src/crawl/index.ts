export * from "./cookies";
export * from "./crawler";
export * from "./html";
export * from "./robots";
export * from "./sitemap";
export * from "./url";
export * from "./front-page";
