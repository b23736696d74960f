import { z } from "zod";

/**
 * Primitives every area's schemas share: no input, ids, dates, e-mail
 * addresses and keyset pages. Each area's own input and output schemas live
 * next to its domain code in `domain/<area>.schemas.ts` (or
 * `domain/<area>/<area>.schemas.ts`). Inputs are strict: an unknown field is
 * an error, not ignored.
 */

export const noInput = z.strictObject({}).optional();

export const emailSchema = z
  .string({ error: "must be an e-mail address" })
  .trim()
  .max(254, "must be at most 254 characters")
  .pipe(z.email({ error: "must be an e-mail address" }))
  .transform((email) => email.toLowerCase());

export const idSchema = (what: string) => z.uuid({ error: `must be ${what} id (uuid)` });

export const isoDateTime = z.iso.datetime();

/** One page of a list and the cursor of the next (null on the last page). */
export const pageOutput = <Item extends z.ZodType>(item: Item) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Opaque keyset cursor: `<iso timestamp>|<uuid>`, base64url. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success) return null;
  return { createdAt, id };
}
