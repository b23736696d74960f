import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { WatchlistsList } from "../../../components/watchlists/watchlists-list";
import { currentSession } from "../../../server/current-session";

export const metadata: Metadata = { title: "Watchlists" };

export default async function WatchlistsPage() {
  const session = await currentSession();
  if (!session?.activeTenant) notFound();
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Watchlists</h1>
        <p className="text-sm text-muted-foreground">
          Sites re-scanned on a cadence; what changed between two scans, with links to both.
        </p>
      </div>
      <WatchlistsList canWrite={session.activeTenant.role !== "viewer"} />
    </div>
  );
}
