/** The demo log table, range-partitioned by month as docs/operations.md shows (tests and bench). */
import { Client } from 'pg';
import { monthStart } from './clock';

/** Replaces flow_execution_logs by a table partitioned by month, one partition per month from now-12 to now+1. */
export async function partitionLogTable(sql: Client, now: Date): Promise<void> {
  await sql.query('DROP TABLE flow_execution_logs');
  await sql.query(`
    CREATE TABLE flow_execution_logs (
      id bigserial, session_id uuid, node_id text, level text, message text, data jsonb,
      created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, created_at)
    ) PARTITION BY RANGE (created_at)`);
  for (let offset = -12; offset <= 1; offset++) {
    const from = monthStart(now, offset);
    await sql.query(
      `CREATE TABLE flow_execution_logs_${from.toISOString().slice(0, 7).replace('-', '_')} PARTITION OF flow_execution_logs
         FOR VALUES FROM ('${from.toISOString()}') TO ('${monthStart(now, offset + 1).toISOString()}')`,
    );
  }
  await sql.query('CREATE INDEX ON flow_execution_logs (created_at)');
}
