/** Finds the month windows that hold eligible rows, with their row counts (what a dry run reports). */
import { PoolClient } from 'pg';
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
  const { rows } = await client.query<{ month: string; rows: string }>(
    `SELECT to_char(date_trunc('month', ${time} AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS month, count(*) AS rows
       FROM ${quoteTable(shape.table)} t
      WHERE ${cutoffPredicate(spec, cutoff)}
      GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => ({ window: monthWindow(new Date(`${r.month}T00:00:00Z`)), rows: Number(r.rows) }));
}
