"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "../../lib/cn";

const LINKS = [
  { href: "/", label: "Scans", active: (path: string) => path === "/" || path.startsWith("/scans") },
  { href: "/agents", label: "Agents", active: (path: string) => path.startsWith("/agents") },
  { href: "/watchlists", label: "Watchlists", active: (path: string) => path.startsWith("/watchlists") },
  { href: "/settings", label: "Settings", active: (path: string) => path.startsWith("/settings") },
] as const;

export function MainNav() {
  const path = usePathname();
  return (
    <nav aria-label="Main" className="flex items-center gap-1">
      {LINKS.map((link) => {
        const active = link.active(path);
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors",
              active ? "bg-muted text-foreground" : "text-muted-foreground hover:text-foreground",
            )}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
