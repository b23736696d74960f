export interface TenantChoice {
  id: string;
  lastUsedAt: string | null;
}

/** The tenant to work in when none is chosen: the one used last, else the first (the only one for most people). */
export function defaultTenant<T extends TenantChoice>(tenants: readonly T[]): T | null {
  let chosen: T | null = null;
  for (const tenant of tenants) {
    if (!chosen || (tenant.lastUsedAt ?? "") > (chosen.lastUsedAt ?? "")) chosen = tenant;
  }
  return chosen;
}
