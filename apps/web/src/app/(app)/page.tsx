import type { Metadata } from "next";
import Link from "next/link";
import { NewScanForm } from "../../components/scan/new-scan-form";
import { RecentScans } from "../../components/scan/recent-scans";
import { buttonClasses } from "../../components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../../components/ui/card";
import { currentSession } from "../../server/current-session";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const session = await currentSession();
  const tenant = session?.activeTenant ?? null;

  if (!tenant) {
    return (
      <Card className="mx-auto max-w-lg">
        <CardHeader>
          <CardTitle>Create your first workspace</CardTitle>
          <CardDescription>
            A workspace holds your team&apos;s scans and reports. Everyone you add to it sees the same work,
            and nobody else does.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <Link href="/tenants/new" className={buttonClasses("primary")}>
            Create a workspace
          </Link>
        </CardContent>
      </Card>
    );
  }

  const canScan = tenant.role !== "viewer";
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <p className="text-sm font-medium text-muted-foreground">Workspace</p>
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="active-tenant-name">
          {tenant.name}
        </h1>
        <p className="text-sm text-muted-foreground">
          <span className="font-mono">{tenant.slug}</span> · your role: {tenant.role}
        </p>
      </div>
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <section aria-labelledby="recent-scans" className="flex min-w-0 flex-col gap-3">
          <h2 id="recent-scans" className="text-lg font-semibold tracking-tight">
            Recent scans
          </h2>
          <RecentScans />
        </section>
        {canScan ? (
          <Card className="order-first lg:sticky lg:top-6 lg:order-last">
            <CardHeader>
              <CardTitle className="text-lg">New scan</CardTitle>
              <CardDescription>
                Collect evidence about a company&apos;s technology from its website.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <NewScanForm />
            </CardContent>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
