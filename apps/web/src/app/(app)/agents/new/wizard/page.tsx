import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { DesignWizard } from "../../../../../components/agents/design-wizard";
import { SkeletonRows } from "../../../../../components/ui/skeleton";
import { currentSession } from "../../../../../server/current-session";

export const metadata: Metadata = { title: "Design an agent" };

export default async function DesignWizardPage() {
  const session = await currentSession();
  if (!session?.activeTenant || session.activeTenant.role === "viewer") notFound();
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <Link href="/agents" className="text-sm text-muted-foreground hover:text-foreground">
          ← All agents
        </Link>
        <h1 className="text-2xl font-semibold tracking-tight">Design an agent</h1>
      </div>
      <Suspense fallback={<SkeletonRows label="Loading the wizard" />}>
        <DesignWizard />
      </Suspense>
    </div>
  );
}
