import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";

/**
 * The production checkpointer: LangGraph's Postgres saver on the product's
 * database, so a worker that dies mid-report resumes it (run the graph with
 * `durability: "sync"` and `thread_id` = the report id, as `generateReport`
 * does). The pool must use a direct or session-pooler connection string. `setup()` creates
 * the saver's tables (in `schema`, default "langgraph") and is idempotent.
 */
export async function postgresCheckpointer(
  pool: ConstructorParameters<typeof PostgresSaver>[0],
  schema = "langgraph",
): Promise<PostgresSaver> {
  // The caller's pool: it must handle its idle clients' errors (a database restart), which
  // the saver's own pool (`fromConnString`) does not, so that restart would crash the process.
  const saver = new PostgresSaver(pool, undefined, { schema });
  await saver.setup();
  return saver;
}
