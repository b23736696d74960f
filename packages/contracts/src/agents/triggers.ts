import { z } from "zod";

/**
 * Event triggers: which events may start an agent, the filter on an event's data and how the event
 * fills the run's input. The database keeps the same list of event types (agent_triggers.event_type);
 * the worker evaluates filters and inputs with the functions below, the API validates with the schemas.
 */

export const TRIGGER_EVENT_TYPES = [
  "scan.completed",
  "scan.failed",
  "report.version_created",
  "report.failed",
  "finding.changed",
  "agent_run.succeeded",
  "agent_run.failed",
  "agent_run.cancelled",
  "agent_run.budget_exceeded",
] as const;
export const TriggerEventType = z.enum(TRIGGER_EVENT_TYPES);
export type TriggerEventType = z.infer<typeof TriggerEventType>;

/**
 * How many triggered runs may follow one another (A's run ends → B runs → …) before the next is not
 * started: a guard against agents that trigger each other in a circle.
 */
export const MAX_TRIGGER_DEPTH = 3;

/** The event as a trigger sees it: paths are read from this object. */
export interface TriggerEvent {
  id: string;
  type: string;
  subject: string;
  data: Record<string, unknown>;
}

/** A dotted path into the event, from `subject`, `type` or `data` (e.g. `data.status`, `data.changes.0`). */
export const TriggerEventPath = z
  .string({ error: "path must be text" })
  .max(200, "path is longer than 200 characters")
  .regex(
    /^(subject|type|data(\.[A-Za-z0-9_-]{1,64}){0,8})$/,
    "path must be subject, type or data.<field>[.<field>…] (letters, digits, _ and -)",
  );

const Scalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()], {
  error: "value must be a string, number, boolean or null",
});

export const TriggerCondition = z.discriminatedUnion(
  "op",
  [
    z.object({ path: TriggerEventPath, op: z.literal("eq"), value: Scalar }).strict(),
    z.object({ path: TriggerEventPath, op: z.literal("in"), value: z.array(Scalar).min(1).max(50) }).strict(),
  ],
  { error: 'op must be "eq" or "in"' },
);
export type TriggerCondition = z.infer<typeof TriggerCondition>;

/** Every condition must hold; an empty filter passes every event of the type. */
export const TriggerFilter = z.array(TriggerCondition).max(20, "at most 20 conditions");
export type TriggerFilter = z.infer<typeof TriggerFilter>;

/** Input field → event path; a mapped field overrides the trigger's fixed input. */
export const TriggerInputMap = z
  .record(
    z.string().regex(/^[A-Za-z0-9_]{1,64}$/, "input field names are letters, digits and _"),
    TriggerEventPath,
  )
  .refine((map) => Object.keys(map).length <= 20, "at most 20 mapped fields");
export type TriggerInputMap = z.infer<typeof TriggerInputMap>;

/** The value at a dotted path of the event; undefined when any step is missing. */
export function eventValueAt(event: TriggerEvent, path: string): unknown {
  const [root, ...rest] = path.split(".");
  let value: unknown = root === "data" ? event.data : root === "subject" ? event.subject : event.type;
  for (const key of rest) {
    if (value === null || typeof value !== "object") return undefined;
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

export function triggerFilterMatches(filter: TriggerFilter, event: TriggerEvent): boolean {
  return filter.every((condition) => {
    const value = eventValueAt(event, condition.path);
    // Strict equality of scalars: an object or array in the event never equals a filter's value.
    return condition.op === "eq" ? value === condition.value : condition.value.includes(value as never);
  });
}

/** The run's input: the fixed input, with each mapped field set from the event (missing values left out). */
export function triggerRunInput(
  fixed: Record<string, unknown>,
  map: TriggerInputMap,
  event: TriggerEvent,
): Record<string, unknown> {
  // fromEntries defines own properties, so a field named __proto__ stays a field.
  const mapped = Object.entries(map)
    .map(([field, path]) => [field, eventValueAt(event, path)] as const)
    .filter(([, value]) => value !== undefined);
  return Object.fromEntries([...Object.entries(fixed), ...mapped]);
}
