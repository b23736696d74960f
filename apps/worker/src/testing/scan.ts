import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTechScanClient } from "@techscaniq/api/client";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { sql, type Db } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  waitUntil,
  type TestDatabase,
} from "@techscaniq/db/testing";

/** Test-only: a database, the API over HTTP, a signed-in tenant owner and a typed client. */
export interface ScanTestBed {
  database: TestDatabase;
  api: TestApiServer;
  tenantId: string;
  client: ReturnType<typeof createTechScanClient>;
  close(): Promise<void>;
}

export async function startScanTestBed(): Promise<ScanTestBed> {
  const database = await createTestDatabase();
  const api = await startTestApiServer(database.db);
  const user = await createTestUser(database.db);
  const tenant = await createTestTenant(database.db, user.id);
  const session = await createTechScanClient({ url: api.url }).auth.signIn.mutate({
    email: user.email,
    password: user.password,
  });
  const client = createTechScanClient({
    url: api.url,
    accessToken: session.accessToken,
    tenantId: tenant.id,
  });
  return {
    database,
    api,
    tenantId: tenant.id,
    client,
    close: async () => {
      await api.close();
      await database.drop();
    },
  };
}

export interface ScanEventSeen {
  id: string;
  type: string;
  stage: string | null;
  data: Record<string, unknown>;
}

/** Collects a scan's events over SSE until a terminal one; `onEvent` may act on the way (cancel, kill…). */
export function followScan(
  client: ScanTestBed["client"],
  scanId: string,
  onEvent: (event: ScanEventSeen) => void | Promise<void> = () => undefined,
): Promise<ScanEventSeen[]> {
  const seen: ScanEventSeen[] = [];
  return new Promise((resolve, reject) => {
    const subscription = client.scan.progress.subscribe(
      { scanId },
      {
        onData: ({ id, data }) => {
          const event = {
            id,
            type: data.type,
            stage: (data.data.stage as string | null) ?? null,
            data: data.data,
          };
          seen.push(event);
          void Promise.resolve(onEvent(event)).catch(reject);
          if (["scan.completed", "scan.failed", "scan.cancelled"].includes(data.type)) {
            subscription.unsubscribe();
            resolve(seen);
          }
        },
        onError: reject,
      },
    );
  });
}

export async function evidenceIds(db: Db, scanId: string): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom("evidence_items")
    .select("evidence_id")
    .where("scan_id", "=", scanId)
    .orderBy("evidence_id")
    .execute();
  return rows.map((row) => row.evidence_id);
}

/** The scan's pipeline jobs still queued or locked (report jobs, which follow a success, are not counted). */
export async function jobsOf(db: Db, scanId: string): Promise<{ task: string; locked_by: string | null }[]> {
  const { rows } = await sql<{ task: string; locked_by: string | null }>`
    select t.identifier as task, j.locked_by
      from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier like 'scan.%' and j.payload->>'scanId' = ${scanId}`.execute(db.kysely);
  return rows;
}

/**
 * Resolves once the scan has no job left. graphile-worker deletes a job
 * just after its handler returns, so right after the terminal event the last
 * one may still be there for a moment; a stuck job makes the test time out.
 */
export async function noJobsLeft(db: Db, scanId: string): Promise<true> {
  return waitUntil(async () => (await jobsOf(db, scanId)).length === 0, {
    what: `scan ${scanId}'s last job to be deleted`,
    timeoutMs: 30_000,
    intervalMs: 100,
  });
}

const mainFile = fileURLToPath(new URL("../main.ts", import.meta.url));
const workerDir = fileURLToPath(new URL("../..", import.meta.url));

/** The real worker as a child process (`node --import tsx src/main.ts`), allowed to scan 127.0.0.1 fixtures. */
export function spawnWorker(
  databaseUrl: string,
  workerId: string,
  dataDir: string,
): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, ["--import", "tsx", mainFile], {
    cwd: workerDir,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      WORKER_ID: workerId,
      WORKER_HEALTH_PORT: "0",
      WORKER_CONCURRENCY: "2",
      TECHSCANIQ_ALLOW_PRIVATE: "1",
      TECHSCANIQ_DATA_DIR: dataDir,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output };
}

/** Process ids of Chromium processes started by `pid` (any depth). */
export async function chromiumDescendants(pid: number): Promise<number[]> {
  const { execFile } = await import("node:child_process");
  const table = await new Promise<string>((resolve, reject) =>
    execFile("ps", ["-eo", "pid=,ppid=,comm="], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  const rows = table
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([child, parent, command]) => ({
      pid: Number(child),
      ppid: Number(parent),
      command: command ?? "",
    }));
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const row of rows.filter((candidate) => candidate.ppid === parent)) {
      if (/chrom/i.test(row.command)) found.push(row.pid);
      walk(row.pid);
    }
  };
  walk(pid);
  return found;
}
