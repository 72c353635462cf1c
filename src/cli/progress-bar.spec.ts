import { formatBar, formatLine } from './progress-bar';

const snapshot = {
  rows: 250, plannedRows: 1_000, percent: 25, table: 'flow_execution_logs', window: '2026-01-01..2026-01-31',
  rowsPerSecond: 25, etaSeconds: 90, startedAt: new Date(0).toISOString(), throttled: null,
};

describe('the CLI progress bar', () => {
  it('draws rows, percent, rate, table, window and ETA', () => {
    expect(formatBar(snapshot)).toBe('[######------------------]  25% 250/1000 rows, 25 rows/s flow_execution_logs 2026-01-01..2026-01-31, ETA 1:30');
  });

  it('says when percent and ETA are not known yet', () => {
    expect(formatBar({ ...snapshot, rows: 0, plannedRows: 0, percent: null, etaSeconds: null, table: null, window: null }))
      .toBe('[------------------------]   ?% 0/0 rows, 25 rows/s, ETA --:--');
  });

  it('says why the run waits instead of an ETA while it is throttled', () => {
    expect(formatBar({ ...snapshot, throttled: 'replica_lag: replica lag 2300 ms > ARCHIVAL_MAX_REPLICA_LAG_MS=1000' }))
      .toBe('[######------------------]  25% 250/1000 rows, 25 rows/s flow_execution_logs 2026-01-01..2026-01-31, throttled (replica_lag: replica lag 2300 ms > ARCHIVAL_MAX_REPLICA_LAG_MS=1000)');
  });

  it('writes a plain line when stderr is not a terminal', () => {
    expect(formatLine('log-archival', snapshot)).toBe('log-archival: 250/1000 rows (25%), flow_execution_logs 2026-01-01..2026-01-31');
  });
});
