import { RunProgress } from './run-progress';

describe('RunProgress', () => {
  it('reports rows, rate, percent and an ETA from the planned rows', () => {
    const progress = new RunProgress(0);
    expect(progress.snapshot(1_000)).toMatchObject({ rows: 0, plannedRows: 0, percent: null, etaSeconds: null, table: null });
    progress.planned('flow_execution_logs', 1_000);
    progress.entered('flow_execution_logs', '2026-01-01..2026-01-31');
    progress.advanced(250);
    expect(progress.snapshot(10_000)).toEqual({
      rows: 250, plannedRows: 1_000, percent: 25, table: 'flow_execution_logs', window: '2026-01-01..2026-01-31',
      rowsPerSecond: 25, etaSeconds: 30, startedAt: new Date(0).toISOString(), throttled: null,
    });
  });

  it('never passes 100% nor a negative ETA when more rows went than were planned', () => {
    const progress = new RunProgress(0);
    progress.planned('t', 10);
    progress.advanced(12);
    expect(progress.snapshot(1_000)).toMatchObject({ percent: 100, etaSeconds: 0 });
  });
});

describe('RunProgress while throttled', () => {
  it('says why the run waits, and clears it when the run goes on', () => {
    const progress = new RunProgress(0);
    progress.throttled('replica_lag: replica lag 1500 ms > ARCHIVAL_MAX_REPLICA_LAG_MS=1000');
    expect(progress.snapshot(1_000).throttled).toBe('replica_lag: replica lag 1500 ms > ARCHIVAL_MAX_REPLICA_LAG_MS=1000');
    progress.throttled(null);
    expect(progress.snapshot(1_000).throttled).toBeNull();
  });
});
