import type { Metadata } from "next";
import Link from "next/link";
import { AuthForm, type AuthField } from "../../../components/auth/auth-form";
import {
  Card,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from "../../../components/ui/card";
import { webEnvFromProcess } from "../../../env";
import { safeNextPath } from "../../../lib/safe-next";
import { SupabaseAuthForm } from "../supabase-auth-form";

const FIELDS = [
  { name: "email", label: "Email", type: "email", autoComplete: "email" },
  { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
] as const satisfies readonly AuthField[];

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNextPath((await searchParams).next);
  // Read per request, so one build serves local and Supabase mode.
  const { supabase } = webEnvFromProcess();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sign in</CardTitle>
        <CardDescription>Welcome back. Sign in to your workspace.</CardDescription>
      </CardHeader>
      <CardContent>
        {supabase ? (
          <SupabaseAuthForm
            supabase={supabase}
            action="sign-in"
            submitLabel="Sign in"
            next={next}
            fields={FIELDS}
          />
        ) : (
          <AuthForm endpoint="/api/auth/sign-in" submitLabel="Sign in" next={next} fields={FIELDS} />
        )}
      </CardContent>
      <CardFooter className="justify-center text-sm text-muted-foreground">
        <span>
          New to TechScanIQ?{" "}
          <Link
            href={next === "/" ? "/sign-up" : `/sign-up?next=${encodeURIComponent(next)}`}
            className="font-medium text-primary hover:underline"
          >
            Create an account
          </Link>
        </span>
      </CardFooter>
    </Card>
  );
}
