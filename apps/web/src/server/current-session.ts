import type { RouterOutputs } from "@techscaniq/api/client";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { defaultTenant } from "./active-tenant";
import { isUnauthorized, serverApi } from "./api";
import { ACCESS_COOKIE, ACTIVE_TENANT_COOKIE } from "./session";
import { supabaseAccessToken, supabaseServerOptions } from "./supabase";

export type Tenant = RouterOutputs["tenant"]["listMine"][number];

export interface CurrentSession {
  user: NonNullable<RouterOutputs["auth"]["me"]["user"]>;
  tenants: Tenant[];
  /** The chosen tenant, or the default one (last used, else first) when none is chosen or it is gone. */
  activeTenant: Tenant | null;
}

/**
 * The access token for this render (Supabase's session cookies in Supabase
 * mode). The proxy renewed an expiring session before the render began.
 */
const renderAccessToken = cache(async (): Promise<string | undefined> => {
  const jar = await cookies();
  const supabase = supabaseServerOptions();
  if (!supabase) return jar.get(ACCESS_COOKIE)?.value;
  const token = await supabaseAccessToken(supabase, {
    getAll: () => jar.getAll(),
    setAll(written) {
      try {
        for (const cookie of written) jar.set(cookie.name, cookie.value, cookie.options);
      } catch {
        // Server components may not write cookies (server actions may); the proxy keeps them current.
      }
    },
  });
  return token ?? undefined;
});

/** Who is signed in, verified by the API (per render, de-duplicated); null when nobody is. */
export const currentSession = cache(async (): Promise<CurrentSession | null> => {
  const jar = await cookies();
  const accessToken = await renderAccessToken();
  if (!accessToken) return null;
  const api = serverApi({ accessToken, incoming: await headers() });
  try {
    const [me, tenants] = await Promise.all([api.auth.me.query(), api.tenant.listMine.query()]);
    if (!me.user) return null;
    const chosen = jar.get(ACTIVE_TENANT_COOKIE)?.value;
    return {
      user: me.user,
      tenants,
      activeTenant: tenants.find((tenant) => tenant.id === chosen) ?? defaultTenant(tenants),
    };
  } catch (error) {
    if (isUnauthorized(error)) return null;
    throw error;
  }
});

/** A server-side API client acting as the signed-in user in their active tenant (null when signed out). */
export async function sessionApi() {
  const session = await currentSession();
  const accessToken = await renderAccessToken();
  if (!session || !accessToken) return null;
  return {
    session,
    api: serverApi({ accessToken, tenantId: session.activeTenant?.id ?? null, incoming: await headers() }),
  };
}
