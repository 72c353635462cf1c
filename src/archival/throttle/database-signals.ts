/**
 * Reads the signals a throttle decides on from PostgreSQL, on one pooled
 * connection per reading.
 *
 * Replica lag comes from pg_stat_replication on the primary: `replay_lag`,
 * except that a standby which has replayed all that was sent counts as 0 (the
 * column keeps its last value for a while after a standby catches up). While
 * a standby's replay is behind, PostgreSQL extrapolates `replay_lag` from the
 * standby's replies, so it grows as long as WAL flows — the archival run's
 * own writes keep it flowing. A role without pg_monitor (or
 * pg_read_all_stats) reads NULL lags: those count as 0, and `unreadable` says
 * so, for a warning.
 */
import { ClientBase } from 'pg';
import { ArchivalError } from '../archival.errors';
import { APPLICATION_NAME } from '../engine/pool-config';

export interface SignalReading {
  /** The largest replay lag over the connected standbys, in ms (0 without standbys). */
  replicaLagMs: number;
  /** Active client backends on the server, the module's own sessions not counted. */
  activeBackends: number;
  /** The host's throttle query's answer; false without one. */
  throttleQuery: boolean;
  /** Standbys whose lag this role may not read (NULL columns without pg_monitor). */
  unreadableStandbys: number;
}

export type SignalSource = () => Promise<SignalReading>;

const SIGNALS_SQL = `
SELECT
  coalesce((SELECT max(CASE WHEN replay_lsn IS NOT DISTINCT FROM sent_lsn THEN 0
                            ELSE extract(epoch FROM replay_lag) * 1000 END)
            FROM pg_stat_replication), 0)::float8 AS replica_lag_ms,
  (SELECT count(*) FROM pg_stat_replication WHERE sent_lsn IS NULL)::int AS unreadable,
  (SELECT count(*) FROM pg_stat_activity
    WHERE state = 'active' AND backend_type = 'client backend'
      AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $1)::int AS active_backends`;

/** The host's throttle query is run in a read-only transaction, so it cannot change anything by mistake. */
export async function readSignals(client: ClientBase, throttleQuery: string | undefined): Promise<SignalReading> {
  const { rows } = await client.query(SIGNALS_SQL, [APPLICATION_NAME]);
  const [row] = rows as Array<{ replica_lag_ms: number; unreadable: number; active_backends: number }>;
  return {
    replicaLagMs: row.replica_lag_ms,
    activeBackends: row.active_backends,
    unreadableStandbys: row.unreadable,
    throttleQuery: throttleQuery === undefined ? false : await askThrottleQuery(client, throttleQuery),
  };
}

async function askThrottleQuery(client: ClientBase, sql: string): Promise<boolean> {
  await client.query('BEGIN READ ONLY');
  try {
    // The extended protocol takes one statement: `COMMIT; DELETE ...` cannot leave the read-only transaction.
    const result = await client.query({ text: sql, rowMode: 'array', queryMode: 'extended' } as { text: string; rowMode: 'array' }).catch((error: Error) => {
      throw new ThrottleQueryError(`ARCHIVAL_THROTTLE_QUERY failed: ${error.message}`);
    });
    const value = throttleAnswer(result.rows as unknown[][], result.fields.length);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** One row with one boolean column (no row counts as false); anything else is the host's mistake, named. */
export function throttleAnswer(rows: unknown[][], columns: number): boolean {
  if (rows.length === 0) return false;
  const value = rows[0][0];
  if (rows.length > 1 || columns !== 1 || typeof value !== 'boolean') {
    throw new ThrottleQueryError(`ARCHIVAL_THROTTLE_QUERY must return one boolean (or no row); it returned ${rows.length} row(s) of ${columns} column(s), first value ${JSON.stringify(value)}`);
  }
  return value;
}

/** The host's throttle query failed or answered something other than one boolean: the run stops, nothing is deleted. */
export class ThrottleQueryError extends ArchivalError {}
