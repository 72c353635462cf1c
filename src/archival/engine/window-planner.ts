/**
 * Finds the month windows that hold eligible rows, with their row counts (what
 * a dry run reports), in one pass over the eligible rows. Rows no archive can
 * hold are refused here, before anything is written, naming table and column:
 * a time no monthly window holds (-infinity, BC), and, for Parquet, a
 * timestamp past the last microsecond since 1970 that 64 bits hold.
 */
import { PoolClient } from 'pg';
import { UnarchivableRowsError } from '../archival.errors';
import { parquetKind } from '../codec/parquet/parquet-columns';
import { MonthWindow, monthWindow } from './archive-naming';
import { cutoffPredicate, Eligibility } from './eligibility';
import { quoteIdent, quoteTable } from '../sql/sql-identifier';
import { TableShape } from './table-introspector';

export interface WindowPlan {
  window: MonthWindow;
  rows: number;
}

export interface PlanOptions {
  /** The archive holds timestamps as Parquet INT64 microseconds since 1970 (±infinity as its extremes). */
  microsecondTimestamps: boolean;
}

/** The first instant past INT64 microseconds since 1970 (which is also the archive's mark for infinity). */
const PAST_MICROS = '294247-01-10 04:00:54.775807';
const LAST_MICROSECOND = '294247-01-10 04:00:54.775806 UTC';

export async function planWindows(client: PoolClient, shape: TableShape, eligibility: Eligibility, options: PlanOptions): Promise<WindowPlan[]> {
  const time = `t.${quoteIdent(eligibility.time)}`;
  // Each timestamp column's test, compared in its own type (extract(epoch) rounds near the top of the range).
  const timestamps = (options.microsecondTimestamps ? shape.columns.filter((c) => parquetKind(c) === 'timestamp') : []).map((c) => ({
    name: c.name,
    past: `isfinite(t.${quoteIdent(c.name)}) AND t.${quoteIdent(c.name)} >= '${PAST_MICROS}${c.typname === 'timestamptz' ? "+00'::timestamptz" : "'::timestamp"}`,
  }));
  const { rows } = await client.query<{ month: string | null; rows: string; past: string; [column: `past_${number}`]: string }>(
    `SELECT CASE WHEN isfinite(${time}) AND ${time} >= '0001-01-01' THEN
              to_char(date_trunc('month', ${time}::timestamptz AT TIME ZONE 'UTC'), 'YYYY-MM-DD') END AS month, count(*) AS rows,
            ${timestamps.length > 0 ? `count(*) FILTER (WHERE ${timestamps.map((c) => `(${c.past})`).join(' OR ')})` : '0'} AS past
            ${timestamps.map((c, i) => `, count(*) FILTER (WHERE ${c.past}) AS past_${i}`).join('')}
       FROM ${quoteTable(shape.table)} t
      WHERE ${cutoffPredicate(eligibility)}
      GROUP BY 1 ORDER BY 1 NULLS FIRST`,
  );
  const where = `${shape.table.schema}.${shape.table.name}`;
  const unarchivable = rows.find((r) => r.month === null);
  if (unarchivable) {
    throw new UnarchivableRowsError(
      `${unarchivable.rows} eligible rows of ${where} have ${eligibility.time} = -infinity or a date before 1 AD, ` +
        `which no monthly window holds; nothing was archived. Correct those rows, or exclude them with the job's filter ` +
        `(e.g. isfinite(t."${eligibility.time}"))`,
      shape.table.name,
    );
  }
  const beyond = rows.reduce((sum, r) => sum + Number(r.past), 0);
  if (beyond > 0) {
    const columns = timestamps.filter((_, i) => rows.some((r) => Number(r[`past_${i}`]) > 0)).map((c) => c.name);
    throw new UnarchivableRowsError(
      `${beyond} eligible rows of ${where} have a timestamp past ${LAST_MICROSECOND} in ${columns.join(', ')}, ` +
        `more than a Parquet timestamp (microseconds since 1970 in 64 bits) holds; nothing was archived. ` +
        `Archive this table as JSON Lines (ARCHIVAL_FORMAT=json), or exclude those rows with the job's filter`,
      shape.table.name,
    );
  }
  return rows.map((r) => ({ window: monthWindow(new Date(`${r.month}T00:00:00Z`)), rows: Number(r.rows) }));
}
