import { z } from "zod";

export const VerificationMethod = z.enum(["mechanical", "mechanical+model", "no-facts"]);
export const Verification = z.object({
  status: z.literal("verified"),
  /** "no-facts": the claim asserts nothing concrete (no names, versions, numbers, URLs…) so there is nothing to check. */
  method: VerificationMethod,
  /** True when the published text is the one rewritten after the original failed. */
  rewritten: z.boolean(),
});
export type Verification = z.infer<typeof Verification>;
