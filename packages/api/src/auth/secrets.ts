import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";

/** GoTrue hashes with bcrypt cost 10; the same cost keeps hashes interchangeable in both directions. */
const BCRYPT_COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** Compared against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password. */
export const UNUSED_PASSWORD_HASH = bcrypt.hashSync("no account has this password", BCRYPT_COST);

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function sameSha256(value: string, expectedHex: string): boolean {
  const actual = Buffer.from(sha256Hex(value), "hex");
  const expected = Buffer.from(expectedHex, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** URL-safe random text carrying `bytes` bytes of entropy. */
export function randomSecret(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}
