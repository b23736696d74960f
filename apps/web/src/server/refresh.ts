import { serverApi, toApiFailure } from "./api";
import { accessTokenNeedsRefresh, type SessionTokens } from "./session";

export interface SessionCookies {
  accessToken: string | undefined;
  refreshToken: string | undefined;
}

export type SessionRenewal =
  /** The access token is fine as it is. */
  | { kind: "current"; accessToken: string | undefined }
  /** A new pair was issued; the caller must write both cookies. */
  | { kind: "renewed"; accessToken: string; tokens: SessionTokens }
  /** The refresh token was refused (expired, revoked, reused); the caller should clear the cookies. */
  | { kind: "ended" };

/**
 * Transparent refresh: when the access token is missing or about to expire
 * and a refresh token is present, trade it for a new pair (which rotates it).
 */
export async function renewSessionIfNeeded(
  cookies: SessionCookies,
  incoming: Headers,
): Promise<SessionRenewal> {
  if (!cookies.refreshToken || !accessTokenNeedsRefresh(cookies.accessToken)) {
    return { kind: "current", accessToken: cookies.accessToken };
  }
  try {
    const session = await serverApi({ incoming }).auth.refresh.mutate({ refreshToken: cookies.refreshToken });
    return { kind: "renewed", accessToken: session.accessToken, tokens: session };
  } catch (error) {
    // Our own outage must not sign people out; only a refused token ends the session.
    if (toApiFailure(error).status >= 500) throw error;
    return { kind: "ended" };
  }
}
