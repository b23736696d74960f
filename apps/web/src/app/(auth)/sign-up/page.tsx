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
  {
    name: "password",
    label: "Password",
    type: "password",
    autoComplete: "new-password",
    hint: "At least 8 characters.",
  },
] as const satisfies readonly AuthField[];

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage({
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
        <CardTitle>Create your account</CardTitle>
        <CardDescription>Start assessing technology with evidence you can check.</CardDescription>
      </CardHeader>
      <CardContent>
        {supabase ? (
          <SupabaseAuthForm
            supabase={supabase}
            action="sign-up"
            submitLabel="Create account"
            next={next}
            fields={FIELDS}
          />
        ) : (
          <AuthForm endpoint="/api/auth/sign-up" submitLabel="Create account" next={next} fields={FIELDS} />
        )}
      </CardContent>
      <CardFooter className="justify-center text-sm text-muted-foreground">
        <span>
          Already have an account?{" "}
          <Link
            href={next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`}
            className="font-medium text-primary hover:underline"
          >
            Sign in
          </Link>
        </span>
      </CardFooter>
    </Card>
  );
}
