import { tmpdir } from "node:os";
import { SCAN_STAGE_VALUES, SCAN_STAGES, type ScanStageValue } from "@techscaniq/contracts/scan";
import { scanTaskName } from "@techscaniq/contracts/tasks";
import { sql } from "@techscaniq/db";
import { createLocalStorage } from "@techscaniq/db/storage";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { ScanStage } from "./persist";
import { scanPipelineTasks } from "./pipeline";
import { scannerStages } from "./stages";
import { loadScannerEnv } from "@techscaniq/scanner/env";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe("architecture: one scan stage registry", () => {
  it("the scan_stage SQL enum is the registry's stages, then the report hand-over, in order", async () => {
    const { rows } = await sql<{ value: string }>`
      select unnest(enum_range(null::public.scan_stage))::text as value`.execute(database.db.kysely);
    // A stage added to contracts' SCAN_STAGE_TABLE needs a migration:
    // alter type public.scan_stage add value '<name>' after '<previous stage>'
    expect(rows.map((row) => row.value)).toEqual([...SCAN_STAGE_VALUES]);
  });

  it("the generated schema's stage type is the registry's (checked by typecheck)", () => {
    // packages/db/src/schema.ts follows the SQL (gen:types); the worker's typecheck compares it.
    expectTypeOf<ScanStage>().toEqualTypeOf<ScanStageValue>();
  });

  it("the worker runs one task per registry stage, in the registry's order", () => {
    const tasks = scanPipelineTasks({
      db: database.db,
      storage: createLocalStorage(tmpdir()),
      stages: scannerStages,
      scanner: loadScannerEnv({}),
      tenantConcurrency: 1,
      deadlineMs: 60_000,
    });
    expect(tasks.map((task) => task.name)).toEqual(SCAN_STAGES.map(scanTaskName));
    expect(Object.keys(scannerStages).sort()).toEqual([...SCAN_STAGES].sort());
  });
});
