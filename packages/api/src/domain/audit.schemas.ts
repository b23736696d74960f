import { z } from "zod";
import { isoDateTime } from "../schemas";

/** The audit area's input and output. */

/** Newest first; the last entry's id as `beforeId` gives the next page. */
export const listAuditInput = z
  .strictObject({
    limit: z
      .number({ error: "must be a number from 1 to 200" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(200, "must be at most 200")
      .default(50),
    beforeId: z
      .string()
      .regex(/^[1-9]\d{0,18}$/, "must be an audit entry id")
      .optional(),
  })
  .default({ limit: 50 });

export const auditEntrySchema = z.object({
  id: z.string(),
  actorUserId: z.uuid().nullable(),
  actorApiKeyId: z.uuid().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
  requestId: z.string().nullable(),
  createdAt: isoDateTime,
});
