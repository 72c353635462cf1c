/**
 * The only writers of a status: each move is one UPDATE that names the
 * statuses it may come from, and throws unless exactly one row moved.
 * They take any query function, so the purge can move an archive inside its
 * own delete transaction.
 */
import { StatusMoveError } from '../archival.errors';
import { ARCHIVE_MOVES, ArchiveStatus, RUN_MOVES, RunStatus } from './statuses';

/** Runs one statement and returns its rows (a TypeORM DataSource or a pg client, adapted). */
export type RowsQuery = (sql: string, params: unknown[]) => Promise<unknown[]>;

/** A pg client (a session, or one inside a transaction) as a RowsQuery. */
export function clientQuery(client: { query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }> }): RowsQuery {
  return async (sql, params) => (await client.query(sql, params)).rows;
}

export interface Move<S extends string> {
  from: readonly S[];
  to: S;
  /** Other columns set with the move: column name → value (columns are the catalog's own, never input). */
  set?: Record<string, unknown>;
}

function assertAllowed<S extends string>(moves: Readonly<Record<S, readonly S[]>>, { from, to }: Move<S>): void {
  for (const status of from) {
    if (!moves[status].includes(to)) throw new Error(`status move ${status} → ${to} is not allowed (statuses.ts)`);
  }
}

function updateSql(table: string, set: Record<string, unknown> = {}, skipLocked = false) {
  // $1 id, $2 new status, $3 the statuses it may come from, then the values of `set`.
  const values: unknown[] = [];
  const assignments = ['status = $2'];
  for (const [column, value] of Object.entries(set)) {
    if (value === NOW) assignments.push(`${column} = now()`);
    else if (value === CLOCK) assignments.push(`${column} = clock_timestamp()`);
    else {
      values.push(value);
      assignments.push(`${column} = $${3 + values.length}`);
    }
  }
  const target = skipLocked
    ? `id = (SELECT id FROM ${table} WHERE id = $1 AND status = ANY($3) FOR UPDATE SKIP LOCKED)`
    : 'id = $1 AND status = ANY($3)';
  return { sql: `UPDATE ${table} SET ${assignments.join(', ')} WHERE ${target} RETURNING id`, values };
}

/** The database's now() as a value in `set`. */
export const NOW = Symbol('now()');
/** The database's clock_timestamp() (the instant of the statement, not of its transaction's start) as a value in `set`. */
export const CLOCK = Symbol('clock_timestamp()');

export async function moveArchive(query: RowsQuery, id: number, move: Move<ArchiveStatus>): Promise<void> {
  assertAllowed(ARCHIVE_MOVES, move);
  const { sql, values } = updateSql('archived_partitions', move.set);
  const rows = await query(sql, [id, move.to, move.from, ...values]);
  if (rows.length !== 1) throw new StatusMoveError('archive', id, move.from, move.to);
}

/**
 * Like moveArchive, but a row that another transaction holds (a purge
 * committing) or that already left `from` is left alone: returns whether it moved.
 */
export async function moveArchiveIfFree(query: RowsQuery, id: number, move: Move<ArchiveStatus>): Promise<boolean> {
  assertAllowed(ARCHIVE_MOVES, move);
  const { sql, values } = updateSql('archived_partitions', move.set, true);
  return (await query(sql, [id, move.to, move.from, ...values])).length === 1;
}

export async function moveRun(query: RowsQuery, id: string, move: Move<RunStatus>): Promise<void> {
  assertAllowed(RUN_MOVES, move);
  const { sql, values } = updateSql('archival_runs', move.set);
  const rows = await query(sql, [id, move.to, move.from, ...values]);
  if (rows.length !== 1) throw new StatusMoveError('run', id, move.from, move.to);
}
