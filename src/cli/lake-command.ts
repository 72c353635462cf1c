/**
 * `archival lake <table>`: prints the SQL to query the table's archives in
 * place, a DuckDB view and an Athena/Glue table (lake/lake.service.ts);
 * `--json` gives both with the files and columns they were built from.
 */
import { LakeService } from '../archival/lake/lake.service';
import type { CommandInput } from './cli-commands';

export async function lakeCommand({ context, args: [table], io, json }: CommandInput): Promise<number> {
  const report = await context.get(LakeService).lake(table);
  if (json) {
    io.out(JSON.stringify(report, null, 2));
    return 0;
  }
  io.out(`-- ${report.schema}.${report.table}: ${report.rows} rows in ${report.archives} live archive(s)`);
  io.out('-- DuckDB (duckdb, or any client of it): creates the view, then e.g. SELECT count(*) FROM the view');
  io.out(report.duckdb);
  io.out('');
  io.out('-- Athena / Glue (partition projection over year and month)');
  io.out(report.athena);
  return 0;
}
