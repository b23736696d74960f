import { Skeleton } from "../../../../components/ui/skeleton";

export default function LoadingScan() {
  return (
    <div role="status" aria-label="Loading scan" className="flex flex-col gap-6">
      <Skeleton className="h-8 w-72" />
      <Skeleton className="h-28 w-full" />
      <Skeleton className="h-10 w-full" />
      <Skeleton className="h-64 w-full" />
    </div>
  );
}
