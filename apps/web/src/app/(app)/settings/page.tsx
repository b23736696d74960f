import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AiSettings } from "../../../components/settings/ai-settings";
import { AiUsage } from "../../../components/settings/ai-usage";
import { ApiKeys } from "../../../components/settings/api-keys";
import { Members } from "../../../components/settings/members";
import { Usage } from "../../../components/settings/usage";
import { currentSession } from "../../../server/current-session";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const session = await currentSession();
  const tenant = session?.activeTenant;
  if (!session || !tenant) redirect("/");
  const isAdmin = tenant.role === "admin" || tenant.role === "owner";
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <p className="text-sm font-medium text-muted-foreground">Settings</p>
        <h1 className="text-2xl font-semibold tracking-tight">{tenant.name}</h1>
        <Link href="/settings/integrations" className="text-sm font-medium text-primary underline">
          Integrations and webhooks
        </Link>
      </div>
      <Usage />
      <Members currentUserId={session.user.id} canManage={isAdmin} />
      {isAdmin ? <ApiKeys /> : null}
      <AiSettings />
      <AiUsage />
    </div>
  );
}
