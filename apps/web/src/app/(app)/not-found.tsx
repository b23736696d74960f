import Link from "next/link";
import { buttonClasses } from "../../components/ui/button";

/** The same page for "does not exist" and "not yours": it says nothing about which. */
export default function NotFound() {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center gap-3 py-16 text-center">
      <p className="text-sm font-semibold text-primary">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Not found</h1>
      <p className="text-sm text-muted-foreground">
        There is nothing here in your current workspace. It may have been deleted, or it may belong to another
        workspace.
      </p>
      <Link href="/" className={buttonClasses("secondary")}>
        Back to scans
      </Link>
    </div>
  );
}
