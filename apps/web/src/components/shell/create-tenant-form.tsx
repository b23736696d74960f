"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorBodyOf, noFormErrors, toFormErrors, type FormErrors } from "../../lib/api-error";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { FormAlert } from "../ui/field-error";
import { TextField } from "../ui/text-field";

const FIELDS = ["name", "slug"] as const;

/** Suggests a slug from the name until the user edits the slug themselves. */
function slugFrom(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}

export function CreateTenantForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [switching, setSwitching] = useState(false);
  const create = trpc.tenant.create.useMutation();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    try {
      const tenant = await create.mutateAsync({ name, slug });
      setSwitching(true);
      const response = await fetch("/api/tenant/active", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenantId: tenant.id }),
      });
      if (!response.ok)
        throw new Error("The workspace was created but could not be opened; pick it in the switcher.");
      router.push("/");
      router.refresh();
    } catch (error) {
      setSwitching(false);
      setErrors(toFormErrors(errorBodyOf(error), FIELDS));
    }
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <FormAlert message={errors.message} />
      <TextField
        name="name"
        label="Name"
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          if (!slugEdited) setSlug(slugFrom(event.target.value));
        }}
        errors={errors.fields.name}
        autoComplete="organization"
        required
      />
      <TextField
        name="slug"
        label="Short name"
        hint="Lowercase letters, digits and dashes; used in links."
        value={slug}
        onChange={(event) => {
          setSlug(event.target.value);
          setSlugEdited(true);
        }}
        errors={errors.fields.slug}
        autoComplete="off"
        spellCheck={false}
        required
      />
      <div className="flex justify-end gap-2 pt-2">
        <Button type="button" variant="ghost" onClick={() => router.back()}>
          Cancel
        </Button>
        <Button type="submit" pending={create.isPending || switching}>
          Create workspace
        </Button>
      </div>
    </form>
  );
}
