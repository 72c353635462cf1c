/**
 * `npm run seed [-- --logs N]`: fills the demo tables with realistic rows
 * spread over the past 15 months, so a newcomer can trigger a job and watch
 * archives appear. Generated inside PostgreSQL: 200k rows take seconds.
 */
import 'reflect-metadata';
import { config as loadDotEnv } from 'dotenv';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { openDemoDatabase } from './demo-database';

const SPAN = `interval '456 days'`; // ~15 months

const SEED_STATEMENTS = (logs: number) => [
  `INSERT INTO flow_execution_sessions (id, flow_id, status, initial_state, working_memory_cache, history, created_at, updated_at, completed_at)
   SELECT gen_random_uuid(), md5((i % 40)::text)::uuid, (ARRAY['completed','completed','failed','running'])[1 + i % 4],
          jsonb_build_object('input', 'order #' || i), jsonb_build_object('step', i % 7), jsonb_build_array('start', 'classify', 'reply'),
          at, at + interval '3 minutes', CASE WHEN i % 4 = 3 THEN NULL ELSE at + interval '3 minutes' END
     FROM (SELECT i, now() - ${SPAN} * random() AS at FROM generate_series(1, ${Math.ceil(logs / 40)}) i) g`,
  `INSERT INTO flow_execution_deltas (session_id, seq, delta, created_at)
   SELECT s.id, d, jsonb_build_object('op', 'set', 'path', '/step', 'value', d), s.created_at + d * interval '20 seconds'
     FROM flow_execution_sessions s, generate_series(1, 5) d`,
  `INSERT INTO flow_execution_logs (session_id, node_id, level, message, data, created_at)
   SELECT s.ids[1 + i % s.n], 'node-' || (i % 12), (ARRAY['debug','info','info','info','warn','error'])[1 + i % 6],
          'node ' || (i % 12) || ' finished in ' || (i * 37 % 900) || ' ms', jsonb_build_object('attempt', 1 + i % 3, 'tokens', i * 13 % 4000),
          s.times[1 + i % s.n] + (i % 40) * interval '4 seconds'
     FROM generate_series(1, ${logs}) i,
          (SELECT array_agg(id) AS ids, array_agg(created_at) AS times, count(*)::int AS n FROM flow_execution_sessions) s`,
  `INSERT INTO call_sessions (id, from_number, to_number, status, metadata, started_at, ended_at, created_at)
   SELECT gen_random_uuid(), '+1555' || lpad((i % 10000)::text, 7, '0'), '+1800' || lpad((i % 97)::text, 7, '0'),
          (ARRAY['completed','completed','missed','voicemail'])[1 + i % 4], jsonb_build_object('agent', 'agent-' || (i % 9)),
          at, at + (i % 600) * interval '1 second', at
     FROM (SELECT i, now() - ${SPAN} * random() AS at FROM generate_series(1, ${Math.ceil(logs / 60)}) i) g`,
  `INSERT INTO call_events (call_session_id, event_type, payload, created_at)
   SELECT c.id, (ARRAY['ringing','answered','transcript','hangup'])[e], jsonb_build_object('seq', e), c.created_at + e * interval '5 seconds'
     FROM call_sessions c, generate_series(1, 4) e`,
  `INSERT INTO memory_chunks (id, owner_id, content, metadata, created_at, expires_at)
   SELECT gen_random_uuid(), md5((i % 50)::text)::uuid, 'remembered fact #' || i, jsonb_build_object('source', 'chat'),
          at, at + (ARRAY[interval '1 day', interval '30 days', interval '400 days'])[1 + i % 3]
     FROM (SELECT i, now() - ${SPAN} * random() AS at FROM generate_series(1, ${Math.ceil(logs / 40)}) i) g`,
];

async function main() {
  loadDotEnv({ quiet: true } as never);
  const flags = new Command('seed').option('--logs <n>', 'log rows to generate (sessions, calls and chunks in proportion)', '200000').parse().opts<{ logs: string }>();
  const logs = Number(flags.logs);
  if (!Number.isInteger(logs) || logs < 40) throw new Error(`--logs must be a whole number of at least 40, got ${flags.logs}`);
  const database = await openDemoDatabase(process.env);
  const dataSource = new DataSource(dataSourceOptions(database.url, true));
  try {
    await dataSource.initialize();
    for (const statement of SEED_STATEMENTS(logs)) await dataSource.query(statement);
    await dataSource.query('ANALYZE');
    for (const table of ['flow_execution_logs', 'flow_execution_sessions', 'flow_execution_deltas', 'call_sessions', 'call_events', 'memory_chunks']) {
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
      console.log(`${table.padEnd(24)} ${n} rows`);
    }
    console.log('\nnow try: npx archival run log-archival --dry-run   (then without --dry-run)');
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await database.stop();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`seed failed: ${error.message}`);
    process.exit(1);
  });
}
