import { sql, type RawBuilder } from "@techscaniq/db";
import { DomainError } from "../errors";
import { decodeCursor, encodeCursor } from "../schemas";

/**
 * Keyset paging over (created_at desc, id desc), shared by every list procedure: a query asks for
 * `limit + 1` rows ordered so, narrowed by `afterCursor`, and `keysetPage` cuts the page and its cursor.
 */

/** Rows strictly after the cursor in (created_at desc, id desc) order; a foreign cursor is a BAD_REQUEST. */
export function afterCursor(cursorText: string, procedure: string): RawBuilder<boolean> {
  const cursor = decodeCursor(cursorText);
  if (!cursor)
    throw new DomainError("BAD_REQUEST", `cursor: is not a cursor returned by ${procedure}`, {
      cursor: ["invalid cursor"],
    });
  return sql<boolean>`(created_at, id) < (${cursor.createdAt}, ${cursor.id}::uuid)`;
}

/** One page of `rows` (fetched with `limit + 1`) as views, and the cursor of the next page, if any. */
export function keysetPage<Row extends { created_at: Date; id: string }, View>(
  rows: Row[],
  limit: number,
  toView: (row: Row) => View,
): { items: View[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
