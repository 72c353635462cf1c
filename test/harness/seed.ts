/** Row factories: realistic rows spread over time, generated inside PostgreSQL for speed. */
import { Client } from 'pg';
import { DAY_MS, FIXED_NOW } from './clock';

/**
 * `rows` log rows spread evenly from `from` (or `days` before `now`) until `now`,
 * with microsecond timestamps. `now` is the test clock unless given.
 */
export async function seedLogs(sql: Client, { rows, days = 0, from, now = FIXED_NOW }: { rows: number; days?: number; from?: Date; now?: Date }) {
  from ??= new Date(now.getTime() - days * DAY_MS);
  await sql.query(
    `INSERT INTO flow_execution_logs (session_id, node_id, level, message, data, created_at)
     SELECT md5(i::text)::uuid, 'node-' || (i % 50), (ARRAY['debug','info','warn','error'])[1 + i % 4],
            'step ' || i || E' done\\n“ünïcødé”', jsonb_build_object('i', i, 'ms', (i * 7) % 1000, 'ok', i % 3 = 0),
            $1::timestamptz + ($2::timestamptz - $1::timestamptz) * (i::float8 / $3) + (i % 997) * interval '1 microsecond'
       FROM generate_series(1, $3) AS i`,
    [from.toISOString(), now.toISOString(), rows],
  );
}

export async function count(sql: Client, table: string, where = 'true'): Promise<number> {
  const { rows } = await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return rows[0].n;
}

/** Row counts of `tables`, by table: take one before and one after, and compare them to prove nothing ran. */
export async function counts(sql: Client, tables: string[]): Promise<Record<string, number>> {
  const snapshot: Record<string, number> = {};
  for (const table of tables) snapshot[table] = await count(sql, table);
  return snapshot;
}

/** The catalog tables any run writes to: with the archived tables' own, the snapshot that shows nothing ran. */
export const RUN_TRACES = ['archival_runs', 'archived_partitions'];
