"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { toFormErrors } from "../../lib/api-error";
import { buttonClasses } from "../ui/button";

export interface TenantOption {
  id: string;
  name: string;
  role: string;
}

/** Lists the user's tenants; choosing one makes it active for every page and API call. */
export function TenantSwitcher({
  tenants,
  activeTenantId,
}: {
  tenants: TenantOption[];
  activeTenantId: string | null;
}) {
  const router = useRouter();
  const selectId = useId();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  async function choose(tenantId: string) {
    setError(null);
    const response = await fetch("/api/tenant/active", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenantId }),
    });
    if (!response.ok) {
      setError(toFormErrors(await response.json().catch(() => null), []).message);
      return;
    }
    startTransition(() => router.refresh());
  }

  return (
    <div className="flex items-center gap-2">
      {tenants.length > 0 ? (
        <>
          <label htmlFor={selectId} className="sr-only">
            Active workspace
          </label>
          <select
            id={selectId}
            value={activeTenantId ?? ""}
            onChange={(event) => void choose(event.target.value)}
            disabled={pending}
            aria-describedby={error ? `${selectId}-error` : undefined}
            className="h-9 min-w-0 flex-1 truncate rounded-(--radius-control) border border-border bg-surface pr-8 pl-3 text-sm font-medium shadow-xs focus-visible:border-ring disabled:opacity-60 sm:max-w-56 sm:flex-none"
          >
            {tenants.map((tenant) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.name}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <Link href="/tenants/new" className={buttonClasses("secondary", "sm")}>
        New workspace
      </Link>
      {error ? (
        <p id={`${selectId}-error`} role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
