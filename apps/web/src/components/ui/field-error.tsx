export function FieldError({ id, messages }: { id: string; messages: readonly string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <p id={id} className="text-sm text-destructive">
      {messages.join(" ")}
    </p>
  );
}

/** A form-level error (wrong password, network failure), announced to screen readers. */
export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div
      role="alert"
      className="rounded-(--radius-control) border border-destructive/30 bg-destructive-soft px-3 py-2 text-sm text-destructive"
    >
      {message}
    </div>
  );
}
