/**
 * Throttling on a real standby's replay lag: a Debian PostgreSQL 15 primary
 * with a standby made by pg_basebackup (test/harness/streaming-replica.ts).
 * While the standby's replay is paused (pg_wal_replay_pause) a run waits,
 * purging nothing, and says why; once replay resumes it finishes.
 */
import { Client } from 'pg';
import { register } from 'prom-client';
import { ArchivalTestApp, createArchivalApp, FIXED_NOW } from './harness/archival-app';
import { captureLogs } from './harness/log-capture';
import { until } from './harness/poll';
import { count, seedLogs } from './harness/seed';
import { startStreamingReplica, StreamingReplica } from './harness/streaming-replica';

const ROWS = 2_000;

describe('a run throttled by replica lag', () => {
  let replica: StreamingReplica;
  let sql: Client;
  let app: ArchivalTestApp;

  beforeAll(async () => {
    replica = await startStreamingReplica();
    const url = await replica.createDatabase('archival_replica_lag');
    sql = new Client({ connectionString: url, options: '-c TimeZone=UTC' });
    await sql.connect();
    await seedLogs(sql, { rows: ROWS, days: 365, now: FIXED_NOW });
    app = await createArchivalApp(url, {
      module: { presets: ['log-archival'], maxRowsPerFile: 500, batchSize: 100, throttle: { maxReplicaLagMs: 300, checkIntervalMs: 100 } },
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await sql?.end();
    await replica?.stop();
  });

  it('waits while the standby does not replay, purging nothing, and finishes once replay resumes', async () => {
    const eligible = await count(sql, 'flow_execution_logs', `created_at < '${new Date(FIXED_NOW.getTime() - 90 * 86_400_000).toISOString()}'`);
    expect(eligible).toBeGreaterThan(1_000);
    await replica.pauseReplay();
    // WAL the standby receives but does not replay: its replay lag grows from here.
    await sql.query(`CREATE TABLE wal_filler AS SELECT generate_series(1, 10000) AS n`);
    await until(() => sql.query(`SELECT coalesce(extract(epoch FROM max(replay_lag)) * 1000, 0) AS ms FROM pg_stat_replication`), (r) => r.rows[0].ms > 300, 'replay lag over 300 ms');

    const logs = captureLogs();
    logs.install();
    try {
      const { runId, done } = await app.archival.trigger('log-archival');
      const throttled = await until(async () => app.archival.progress(runId)?.throttled ?? null, (why) => why !== null, 'the run to say it is throttled');
      expect(throttled).toMatch(/^replica_lag: replica lag \d+ ms > ARCHIVAL_MAX_REPLICA_LAG_MS=300$/);
      // Held for a while: still waiting, nothing purged, the run still running.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(app.archival.progress(runId)?.throttled).toMatch(/^replica_lag/);
      expect(await count(sql, 'flow_execution_logs')).toBe(ROWS);
      expect((await app.catalog.listRuns({ job: 'log-archival' }))[0]).toMatchObject({ id: runId, status: 'running' });

      await replica.resumeReplay();
      const report = await done;
      expect(report).toMatchObject({ status: 'succeeded', rows: eligible });
      expect(await count(sql, 'flow_execution_logs')).toBe(ROWS - eligible);
    } finally {
      logs.restore();
    }
    const messages = logs.lines.map(String);
    expect(messages.some((m) => /job log-archival pauses: replica lag \d+ ms > ARCHIVAL_MAX_REPLICA_LAG_MS=300/.test(m))).toBe(true);
    expect(messages.some((m) => /job log-archival resumes after [\d.]+ s throttled \(replica_lag\)/.test(m))).toBe(true);
    const metric = await register.getSingleMetric('archival_throttled_seconds_total')!.get();
    const seconds = metric.values.find((v) => v.labels.job === 'log-archival' && v.labels.reason === 'replica_lag')?.value ?? 0;
    expect(seconds).toBeGreaterThan(1);
  }, 120_000);
});
