import type { InputHTMLAttributes } from "react";
import { FieldError } from "./field-error";
import { Input } from "./input";
import { Label } from "./label";

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name"> {
  name: string;
  label: string;
  errors?: readonly string[];
  hint?: string;
}

/** Label, input and its error text, wired together for screen readers. */
export function TextField({ name, label, errors, hint, ...props }: TextFieldProps) {
  const id = `field-${name}`;
  const invalid = Boolean(errors && errors.length > 0);
  const describedBy =
    [hint ? `${id}-hint` : null, invalid ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        name={name}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        {...props}
      />
      {hint && !invalid ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}
