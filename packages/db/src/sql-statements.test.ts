import { describe, expect, it } from "vitest";
import { splitSqlStatements } from "./sql-statements";

describe("splitSqlStatements", () => {
  it("splits at top-level semicolons and reports each statement's first line", () => {
    const sql = "-- header\ncreate table a (id int);\n\n/* note; */\ninsert into a values (1);\nselect 1";
    expect(splitSqlStatements(sql).map((s) => [s.line, s.text])).toEqual([
      [2, "create table a (id int)"],
      [5, "insert into a values (1)"],
      [6, "select 1"],
    ]);
  });

  it("keeps semicolons inside quotes, identifiers, dollar quotes and nested comments", () => {
    const sql = [
      "select 'a;b', E'it\\'s;', \"we;ird\";",
      "create function f() returns int language plpgsql as $body$ begin return 1; end $body$;",
      "do $$ begin perform 1; end $$;",
      "select $1::int /* outer /* inner; */ still; */ ;",
    ].join("\n");
    expect(splitSqlStatements(sql).map((s) => s.line)).toEqual([1, 2, 3, 4]);
    expect(splitSqlStatements(sql)[1]!.text).toContain("return 1; end $body$");
  });

  it("drops comment-only and empty fragments", () => {
    expect(splitSqlStatements("-- nothing;\n;;\n/* ; */")).toEqual([]);
  });
});
