import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";

/**
 * The production checkpointer: LangGraph's Postgres saver on the product's
 * database, so a worker that dies mid-report resumes it (run the graph with
 * `durability: "sync"` and `thread_id` = the report id, as `generateReport`
 * does). Use a direct or session-pooler connection string. `setup()` creates
 * the saver's tables (in `schema`, default "langgraph") and is idempotent.
 */
export async function postgresCheckpointer(connectionString: string, schema = "langgraph"): Promise<PostgresSaver> {
  const saver = PostgresSaver.fromConnString(connectionString, { schema });
  await saver.setup();
  return saver;
}
