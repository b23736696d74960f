import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { WatchlistTimeline } from "../../../../components/watchlists/watchlist-timeline";
import { isNotVisible } from "../../../../server/api";
import { sessionApi } from "../../../../server/current-session";

export const metadata: Metadata = { title: "Watchlist" };

/** Reads the watchlist as the user (RLS decides); another tenant's is the same 404 as none at all. */
export default async function WatchlistPage({ params }: { params: Promise<{ watchlistId: string }> }) {
  const { watchlistId } = await params;
  const context = await sessionApi();
  if (!context?.session.activeTenant) notFound();
  const watchlist = await context.api.watchlist.get.query({ watchlistId }).catch((error: unknown) => {
    if (isNotVisible(error)) return null;
    throw error;
  });
  if (!watchlist) notFound();
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold tracking-tight">{watchlist.name}</h1>
      <WatchlistTimeline watchlist={watchlist} />
    </div>
  );
}
