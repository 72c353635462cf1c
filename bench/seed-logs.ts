/**
 * The bench's log rows: N rows in one old month of the demo's log table
 * (older than any default retention), ids 1..N in time order, autovacuum off.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/demo/data-source-options';
import { partitionLogTable } from '../test/harness/partitioned-logs';

const DAY_MS = 86_400_000;

/** N log rows in one month, 8 months ago (older than any default retention); with `months`, spread over that many months, ending then. */
export async function seedTemplate(url: string, rows: number, partitioned = false, months = 1): Promise<string> {
  const source = new DataSource({ ...dataSourceOptions(url, true), logging: false });
  await source.initialize();
  await source.runMigrations();
  await source.destroy();
  const client = new Client({ connectionString: url });
  await client.connect();
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 7 - months, 1));
  const span = 27 + 30 * (months - 1);
  try {
    if (partitioned) await partitionLogTable(client, now);
    await client.query(
      `INSERT INTO flow_execution_logs (session_id, node_id, level, message, data, created_at)
       SELECT md5((i / 20)::text)::uuid, 'node-' || (i % 50), (ARRAY['debug','info','warn','error'])[1 + i % 4],
              'step ' || i || ' finished in ' || (i * 7) % 1000 || ' ms',
              jsonb_build_object('i', i, 'ms', (i * 7) % 1000, 'ok', i % 3 = 0, 'path', '/api/v1/flows/' || (i % 997)),
              $1::timestamptz + (i::float8 / $2) * $3 * interval '1 day' + (i % 997) * interval '1 microsecond'
         FROM generate_series(1, $2) AS i`,
      [month.toISOString(), rows, span],
    );
    await client.query('VACUUM ANALYZE flow_execution_logs');
    // No autovacuum of the rows a case deletes lands in a measured run at a random moment (the reference deletes
    // last, the product a part at a time): on the table and each of its partitions, copied with the template.
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.oid::regclass::text AS name FROM pg_class c
        WHERE c.relkind = 'r' AND (c.oid = 'flow_execution_logs'::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'flow_execution_logs'::regclass))`,
    );
    for (const { name } of tables) await client.query(`ALTER TABLE ${name} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
  } finally {
    await client.end();
  }
  return new Date(month.getTime() + (span + 13) * DAY_MS).toISOString();
}
