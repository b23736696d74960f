"use client";

import { createBrowserClient } from "@supabase/ssr";
import { isAuthError, isAuthRetryableFetchError, type AuthError } from "@supabase/supabase-js";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { AuthFormView, type AuthField } from "../../components/auth/auth-form";
import type { SupabasePublicConfig } from "../../env";
import { noFormErrors, type FormErrors } from "../../lib/api-error";

export interface SupabaseAuthFormProps {
  /** The project's public URL and anon key, passed from the server at run time (no build-time variables). */
  supabase: SupabasePublicConfig;
  action: "sign-in" | "sign-up";
  fields: readonly AuthField[];
  submitLabel: string;
  /** Where to go once signed in (already checked to be a same-site path). */
  next: string;
}

/** Supabase Auth's error codes, placed next to the field they are about. */
const FIELD_OF_CODE: Record<string, string> = {
  weak_password: "password",
  email_address_invalid: "email",
  user_already_exists: "email",
  email_exists: "email",
};

function toFormErrors(error: AuthError): FormErrors {
  if (isAuthRetryableFetchError(error))
    return {
      message: "Could not reach the sign-in service. Check your connection and try again.",
      fields: {},
    };
  if (error.code === "invalid_credentials") return { message: "Invalid e-mail or password", fields: {} };
  const field =
    (error.code && FIELD_OF_CODE[error.code]) ??
    (error.code === "validation_failed" && /email/i.test(error.message) ? "email" : null);
  return field
    ? { message: null, fields: { [field]: [error.message] } }
    : { message: error.message, fields: {} };
}

/**
 * Sign-in and sign-up in Supabase mode: the browser talks to Supabase Auth
 * with `@supabase/ssr`'s browser client, which keeps the session in cookies
 * the server (proxy, route handlers, pages) reads and renews.
 */
export function SupabaseAuthForm({ supabase, action, fields, submitLabel, next }: SupabaseAuthFormProps) {
  const router = useRouter();
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setErrors(noFormErrors);
    const form = new FormData(event.currentTarget);
    const credentials = {
      email: String(form.get("email") ?? "").trim(),
      password: String(form.get("password") ?? ""),
    };
    const auth = createBrowserClient(supabase.url, supabase.anonKey).auth;
    try {
      const { data, error } =
        action === "sign-in" ? await auth.signInWithPassword(credentials) : await auth.signUp(credentials);
      if (error) {
        setErrors(toFormErrors(error));
      } else if (!data.session) {
        // The project asks new users to confirm their address before the first sign-in.
        setErrors({
          message: "Check your e-mail and follow the link to confirm your address, then sign in.",
          fields: {},
        });
      } else {
        router.replace(next);
        router.refresh();
        return;
      }
    } catch (error) {
      setErrors(
        isAuthError(error)
          ? toFormErrors(error)
          : { message: "Something went wrong. Please try again.", fields: {} },
      );
    }
    setPending(false);
  }

  return (
    <AuthFormView
      errors={errors}
      fields={fields}
      submitLabel={submitLabel}
      pending={pending}
      onSubmit={submit}
    />
  );
}
