import type { Metadata } from "next";
import Link from "next/link";
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
            A workspace holds your team&apos;s scans and reports. Everyone you add to it sees the same work, and nobody else does.
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
      <Card>
        <CardHeader>
          <CardTitle className="text-lg">No scans yet</CardTitle>
          <CardDescription>
            Scanning arrives next: give TechScanIQ a company&apos;s website and it will collect evidence of its technology stack,
            security posture and performance, and write a report in which every claim cites its evidence. Your scans will be
            listed here.
          </CardDescription>
        </CardHeader>
      </Card>
    </div>
  );
}
