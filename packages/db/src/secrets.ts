import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DbEnv } from "./env";

/**
 * A server secret: the configured value, or outside production one generated
 * on first use into `<data dir>/<file>` (mode 0600) so it survives restarts
 * and every local process (web, workers) agrees on it.
 */
export async function dataDirSecret(options: {
  configured: string | undefined;
  /** The variable that configures it, named in the production error. */
  variable: string;
  production: boolean;
  dataDir: string;
  file: string;
  /** Added to the production error: what else would do instead. */
  productionHint?: string;
}): Promise<string> {
  if (options.configured) return options.configured;
  if (options.production)
    throw new Error(
      `${options.variable} is required in production${options.productionHint ? ` ${options.productionHint}` : ""}`,
    );
  const file = path.join(options.dataDir, options.file);
  await mkdir(options.dataDir, { recursive: true });
  try {
    // "wx": when two processes start together, exactly one writes and both read the same secret.
    await writeFile(file, randomBytes(48).toString("base64url"), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const secret = (await readFile(file, "utf8")).trim();
  if (secret.length < 32)
    throw new Error(`${file} holds a secret shorter than 32 characters; delete it to generate a new one`);
  return secret;
}

/** A sealed value that cannot be opened: wrong key, wrong context, or altered bytes. */
export class SecretOpenError extends Error {
  override readonly name = "SecretOpenError";
}

/**
 * AES-256-GCM sealing of small secrets. `context` (e.g. `tenant:<id>:openai`)
 * is authenticated with the ciphertext, so a sealed value copied to another
 * tenant or provider does not open.
 */
export interface SecretBox {
  /** `v1.<iv>.<auth tag>.<ciphertext>`, base64url parts. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The box for a key of at least 32 characters; the AES key is derived from it with HKDF-SHA256. */
export function createSecretBox(keyMaterial: string): SecretBox {
  if (keyMaterial.length < 32) throw new Error("the secrets key must be at least 32 characters");
  const key = Buffer.from(hkdfSync("sha256", keyMaterial, "", "techscaniq tenant secrets v1", 32));
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), ciphertext]
        .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
        .join(".");
    },
    open(sealed, context) {
      const [version, iv, tag, ciphertext, ...rest] = sealed.split(".");
      if (version !== VERSION || !iv || !tag || ciphertext === undefined || rest.length > 0)
        throw new SecretOpenError("not a sealed secret (expected v1.<iv>.<tag>.<ciphertext>)");
      const ivBytes = Buffer.from(iv, "base64url");
      const tagBytes = Buffer.from(tag, "base64url");
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
        throw new SecretOpenError("sealed secret has a malformed iv or auth tag");
      const decipher = createDecipheriv("aes-256-gcm", key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(tagBytes);
      try {
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertext, "base64url")),
          decipher.final(),
        ]).toString("utf8");
      } catch (error) {
        throw new SecretOpenError(
          "sealed secret failed authentication: altered, sealed for another tenant or provider, or TECHSCANIQ_SECRETS_KEY changed",
          { cause: error },
        );
      }
    },
  };
}

/** The deployment's box: TECHSCANIQ_SECRETS_KEY, or the generated `<data dir>/secrets-key` outside production. */
export async function loadSecretBox(env: DbEnv): Promise<SecretBox> {
  const key = await dataDirSecret({
    configured: env.TECHSCANIQ_SECRETS_KEY,
    variable: "TECHSCANIQ_SECRETS_KEY",
    production: env.NODE_ENV === "production",
    dataDir: env.TECHSCANIQ_DATA_DIR,
    file: "secrets-key",
  });
  return createSecretBox(key);
}
