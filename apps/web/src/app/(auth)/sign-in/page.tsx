import type { Metadata } from "next";
import Link from "next/link";
import { AuthForm } from "../../../components/auth/auth-form";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "../../../components/ui/card";
import { safeNextPath } from "../../../lib/safe-next";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sign in</CardTitle>
        <CardDescription>Welcome back. Sign in to your workspace.</CardDescription>
      </CardHeader>
      <CardContent>
        <AuthForm
          endpoint="/api/auth/sign-in"
          submitLabel="Sign in"
          next={next}
          fields={[
            { name: "email", label: "Email", type: "email", autoComplete: "email" },
            { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
          ]}
        />
      </CardContent>
      <CardFooter className="justify-center text-sm text-muted-foreground">
        <span>
          New to TechScanIQ?{" "}
          <Link href={next === "/" ? "/sign-up" : `/sign-up?next=${encodeURIComponent(next)}`} className="font-medium text-primary hover:underline">
            Create an account
          </Link>
        </span>
      </CardFooter>
    </Card>
  );
}
