/** A JSON object typed into a text box: the object, or the reason it is not one. */
export function parseJsonObject(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `is not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, error: "must be a JSON object, e.g. {}" };
  return { ok: true, value: value as Record<string, unknown> };
}

/** A starting input for an agent from its input schema: each required string array gets one example. */
export function sampleInput(inputSchema: Record<string, unknown>): Record<string, unknown> {
  const properties = (inputSchema.properties ?? {}) as Record<string, { type?: string; format?: string }>;
  const required = Array.isArray(inputSchema.required) ? (inputSchema.required as string[]) : [];
  return Object.fromEntries(
    required.map((name) => {
      const property = properties[name] ?? {};
      if (property.type === "array") return [name, ["https://www.example.com/"]];
      if (property.format === "uri") return [name, "https://www.example.com/"];
      return [name, property.type === "number" || property.type === "integer" ? 0 : ""];
    }),
  );
}
