import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { reportDocumentJsonSchema } from "../src/report/document";

/** Where the JSON export's schema is published; a test keeps it equal to the zod schema. */
export const reportSchemaFile = fileURLToPath(new URL("../schema/report.schema.json", import.meta.url));

export function reportSchemaText(): string {
  return (
    JSON.stringify(
      {
        $id: "https://techscaniq.com/schema/report.schema.json",
        title: "TechScanIQ report (JSON export)",
        ...reportDocumentJsonSchema,
      },
      null,
      2,
    ) + "\n"
  );
}

// `pnpm --filter @techscaniq/contracts gen:schema`
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(reportSchemaFile, reportSchemaText());
  console.log(`Wrote ${reportSchemaFile}`);
}
