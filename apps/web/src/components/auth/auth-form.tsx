"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { noFormErrors, toFormErrors, type FormErrors } from "../../lib/api-error";
import { Button } from "../ui/button";
import { FormAlert } from "../ui/field-error";
import { TextField } from "../ui/text-field";

export interface AuthField {
  name: string;
  label: string;
  type: "email" | "password" | "text";
  autoComplete: string;
  hint?: string;
}

export interface AuthFormProps {
  /** The route handler that talks to the API and sets the session cookies. */
  endpoint: "/api/auth/sign-in" | "/api/auth/sign-up";
  fields: readonly AuthField[];
  submitLabel: string;
  /** Where to go once signed in (already checked to be a same-site path). */
  next: string;
}

export function AuthForm({ endpoint, fields, submitLabel, next }: AuthFormProps) {
  const router = useRouter();
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setErrors(noFormErrors);
    const form = new FormData(event.currentTarget);
    const body = Object.fromEntries(fields.map((field) => [field.name, String(form.get(field.name) ?? "")]));
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        router.replace(next);
        router.refresh();
        return;
      }
      setErrors(
        toFormErrors(
          await response.json().catch(() => null),
          fields.map((field) => field.name),
        ),
      );
    } catch {
      setErrors({ message: "Could not reach the server. Check your connection and try again.", fields: {} });
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

export interface AuthFormViewProps {
  errors: FormErrors;
  fields: readonly AuthField[];
  submitLabel: string;
  pending: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
}

/** The auth form's markup, shared by local mode (above) and Supabase mode (app/(auth)/supabase-auth-form). */
export function AuthFormView({ errors, fields, submitLabel, pending, onSubmit }: AuthFormViewProps) {
  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-4">
      <FormAlert message={errors.message} />
      {fields.map((field) => (
        <TextField
          key={field.name}
          name={field.name}
          label={field.label}
          type={field.type}
          autoComplete={field.autoComplete}
          hint={field.hint}
          errors={errors.fields[field.name]}
          required
        />
      ))}
      <Button type="submit" pending={pending} className="mt-2 w-full">
        {submitLabel}
      </Button>
    </form>
  );
}
