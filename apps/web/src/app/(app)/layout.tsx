import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { Brand } from "../../components/brand";
import { Providers } from "../../components/providers";
import { MainNav } from "../../components/shell/main-nav";
import { PendingInvitations } from "../../components/shell/pending-invitations";
import { SignOutButton } from "../../components/shell/sign-out-button";
import { TenantSwitcher } from "../../components/shell/tenant-switcher";
import { currentSession } from "../../server/current-session";

/** The signed-in shell: brand, tenant switcher, who is signed in, sign out. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <Providers tenantId={session.activeTenant?.id ?? null}>
      <div className="flex min-h-dvh flex-col">
        <header className="border-b border-border bg-surface">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 gap-y-2 px-4 py-3 sm:h-16 sm:flex-nowrap sm:gap-4 sm:px-6 sm:py-0">
            <Link href="/" className="shrink-0 rounded-md">
              <Brand />
            </Link>
            <MainNav />
            {/* On a phone the switcher takes a row of its own under the brand, nav and sign-out. */}
            <div className="order-last w-full min-w-0 sm:order-none sm:w-auto sm:flex-1">
              <TenantSwitcher tenants={session.tenants} activeTenantId={session.activeTenant?.id ?? null} />
            </div>
            <span
              className="hidden truncate text-sm text-muted-foreground md:inline"
              data-testid="signed-in-as"
            >
              {session.user.email}
            </span>
            <div className="ml-auto sm:ml-0">
              <SignOutButton />
            </div>
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">
          <PendingInvitations />
          {children}
        </main>
      </div>
    </Providers>
  );
}
