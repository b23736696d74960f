import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { Brand } from "../../components/brand";
import { Providers } from "../../components/providers";
import { MainNav } from "../../components/shell/main-nav";
import { TenantSwitcher } from "../../components/shell/tenant-switcher";
import { Button } from "../../components/ui/button";
import { currentSession } from "../../server/current-session";

/** The signed-in shell: brand, tenant switcher, who is signed in, sign out. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <Providers tenantId={session.activeTenant?.id ?? null}>
      <div className="flex min-h-dvh flex-col">
        <header className="border-b border-border bg-surface">
          <div className="mx-auto flex h-16 max-w-6xl items-center gap-3 px-4 sm:gap-4 sm:px-6">
            <Link href="/" className="shrink-0 rounded-md">
              <Brand />
            </Link>
            <MainNav />
            <div className="min-w-0 flex-1">
              <TenantSwitcher tenants={session.tenants} activeTenantId={session.activeTenant?.id ?? null} />
            </div>
            <span className="hidden truncate text-sm text-muted-foreground md:inline" data-testid="signed-in-as">
              {session.user.email}
            </span>
            <form method="post" action="/api/auth/sign-out">
              <Button type="submit" variant="ghost" size="sm">
                Sign out
              </Button>
            </form>
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">{children}</main>
      </div>
    </Providers>
  );
}
