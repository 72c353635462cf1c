/** The SQL predicate that selects a window's eligible rows; literals only, as COPY takes no parameters. */
import { TableSpec } from './table-spec';
import { quoteIdent } from '../sql/sql-identifier';
import { MonthWindow } from './archive-naming';

export function timestampLiteral(instant: Date): string {
  return `'${instant.toISOString()}'::timestamptz`;
}

/** Rows of the window older than the cutoff (and matching the spec's filter), over alias `t`. */
export function eligiblePredicate(spec: TableSpec, window: MonthWindow, cutoff: Date): string {
  const time = `t.${quoteIdent(spec.time)}`;
  const end = window.end < cutoff ? window.end : cutoff;
  const parts = [`${time} >= ${timestampLiteral(window.start)}`, `${time} < ${timestampLiteral(end)}`];
  if (spec.filter) parts.push(`(${spec.filter})`);
  return parts.join(' AND ');
}

/** Every eligible row, whatever its window. */
export function cutoffPredicate(spec: TableSpec, cutoff: Date): string {
  const parts = [`t.${quoteIdent(spec.time)} < ${timestampLiteral(cutoff)}`];
  if (spec.filter) parts.push(`(${spec.filter})`);
  return parts.join(' AND ');
}
