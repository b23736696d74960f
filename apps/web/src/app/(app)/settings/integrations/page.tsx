import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Integrations } from "../../../../components/settings/integrations";
import { currentSession } from "../../../../server/current-session";

export const metadata: Metadata = { title: "Integrations" };

export default async function IntegrationsPage() {
  const session = await currentSession();
  const tenant = session?.activeTenant;
  if (!session || !tenant) redirect("/");
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <p className="text-sm font-medium text-muted-foreground">Settings</p>
        <h1 className="text-2xl font-semibold tracking-tight">Integrations</h1>
      </div>
      <Integrations
        canManage={tenant.role === "admin" || tenant.role === "owner"}
        canUse={tenant.role !== "viewer"}
      />
    </div>
  );
}
