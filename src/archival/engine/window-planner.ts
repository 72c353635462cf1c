/** Finds the month windows that hold eligible rows, with their row counts (what a dry run reports). */
import { PoolClient } from 'pg';
import { UnarchivableRowsError } from '../archival.errors';
import { MonthWindow, monthWindow } from './archive-naming';
import { cutoffPredicate } from './eligibility';
import { quoteIdent, quoteTable } from './sql-identifier';
import { TableShape } from './table-introspector';
import { TableSpec } from './table-spec';

export interface WindowPlan {
  window: MonthWindow;
  rows: number;
}

export async function planWindows(client: PoolClient, shape: TableShape, spec: TableSpec, cutoff: Date): Promise<WindowPlan[]> {
  const time = `t.${quoteIdent(spec.time)}`;
  const { rows } = await client.query<{ month: string | null; rows: string }>(
    `SELECT CASE WHEN isfinite(${time}) AND ${time} >= '0001-01-01' THEN
              to_char(date_trunc('month', ${time}::timestamptz AT TIME ZONE 'UTC'), 'YYYY-MM-DD') END AS month, count(*) AS rows
       FROM ${quoteTable(shape.table)} t
      WHERE ${cutoffPredicate(spec, cutoff)}
      GROUP BY 1 ORDER BY 1 NULLS FIRST`,
  );
  const unarchivable = rows.find((r) => r.month === null);
  if (unarchivable) {
    throw new UnarchivableRowsError(
      `${unarchivable.rows} eligible rows of ${shape.table.schema}.${shape.table.name} have ${spec.time} = -infinity or a date before 1 AD, ` +
        `which no monthly window holds; nothing was archived. Correct those rows, or exclude them with the job's filter ` +
        `(e.g. isfinite(t."${spec.time}"))`,
      shape.table.name,
    );
  }
  return rows.map((r) => ({ window: monthWindow(new Date(`${r.month}T00:00:00Z`)), rows: Number(r.rows) }));
}
