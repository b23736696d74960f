import type { NextRequest } from "next/server";
import { readJsonObject, respondWithSession } from "../../../../server/auth-route";
import { refuseCrossSite } from "../../../../server/same-origin";

/** `{ email, password, name? }` → a new account, signed in. The API validates the fields and names any that are wrong. */
export async function POST(request: NextRequest) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const body = await readJsonObject(request);
  if (body instanceof Response) return body;
  // The API's zod schema is the validation; this only forwards the browser's fields.
  return respondWithSession(request, (api) =>
    api.auth.signUp.mutate(body as { email: string; password: string }),
  );
}
