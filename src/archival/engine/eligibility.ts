/** The SQL predicate that selects a window's eligible rows; literals only, as COPY takes no parameters. */
import { quoteIdent, quoteLiteral } from '../sql/sql-identifier';
import { MonthWindow } from './archive-naming';

/**
 * What makes a row of a table eligible: its time is before the cutoff, it
 * matches the job's filter, and no active legal hold names it. The filter and
 * the holds are kept apart because they mean different things downstream: the
 * partition fast path reads both to decide whether a partition may go whole.
 */
export interface Eligibility {
  /** The time column. */
  time: string;
  cutoff: Date;
  /** The job's extra predicate over alias `t`, from trusted configuration. */
  filter?: string;
  /** Active legal holds as one predicate over alias `t` that excludes the held rows (legal-holds.ts). */
  holds?: string;
}

/** A bound on the key over alias `t`, e.g. `t."id" > '500'::bigint`: the value (the table's own key, as text) compared in the key's type. */
export function keyBound(shape: { key: string; keyType: string }, op: '>' | '<=', key: string): string {
  return `t.${quoteIdent(shape.key)} ${op} ${quoteLiteral(key)}::${shape.keyType}`;
}

export function timestampLiteral(instant: Date): string {
  return `'${instant.toISOString()}'::timestamptz`;
}

/** Rows of the window older than the cutoff (and matching the filter, not held), over alias `t`. */
export function eligiblePredicate(eligibility: Eligibility, window: MonthWindow): string {
  const time = `t.${quoteIdent(eligibility.time)}`;
  const end = window.end < eligibility.cutoff ? window.end : eligibility.cutoff;
  return [`${time} >= ${timestampLiteral(window.start)}`, `${time} < ${timestampLiteral(end)}`, ...conditions(eligibility)].join(' AND ');
}

/** Every eligible row, whatever its window. */
export function cutoffPredicate(eligibility: Eligibility): string {
  return [`t.${quoteIdent(eligibility.time)} < ${timestampLiteral(eligibility.cutoff)}`, ...conditions(eligibility)].join(' AND ');
}

function conditions({ filter, holds }: Eligibility): string[] {
  return [...(filter ? [`(${filter})`] : []), ...(holds ? [holds] : [])];
}
