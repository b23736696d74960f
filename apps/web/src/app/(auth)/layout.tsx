import type { ReactNode } from "react";
import { Brand } from "../../components/brand";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-8 px-4 py-12">
      <Brand />
      <div className="w-full max-w-sm">{children}</div>
      <p className="max-w-sm text-center text-xs text-muted-foreground">
        Technology due diligence: stack, security posture and risks, with evidence for every claim.
      </p>
    </main>
  );
}
